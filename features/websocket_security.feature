Feature: Only my own pages and a live credential can follow my tours over the WebSocket
  The WebSocket /ws is opened with a bearer token (offered as the subprotocol
  "bearer.<token>") or with the session cookie. A browser attaches the cookie
  whatever page opens the socket, so a socket that authenticates by cookie
  must come from the site's own pages or an origin the operator allowed. And a
  socket lives no longer than the credential that opened it: it is checked
  again at every subscribe and, while the socket follows a tour, at a fixed
  interval.

  Background:
    Given the service is running
    And I am a registered user with a password

  Scenario: A cross-site page cannot open a cookie socket
    Given I am logged in with the session cookie
    When a page on "https://evil.example" opens the WebSocket with my cookie
    Then the handshake is refused as a policy violation before it is accepted
    And the service still answers normally

  Scenario: The site's own page can open a cookie socket
    Given I am logged in with the session cookie
    And I have requested a tour
    When a page of the site itself opens the WebSocket with my cookie
    Then it can follow my tour

  Scenario: An origin the operator allowed can open a cookie socket
    Given the service also allows pages of "https://app.example"
    And I am logged in with the session cookie
    And I have requested a tour
    When a page on "https://app.example" opens the WebSocket with my cookie
    Then it can follow my tour

  Scenario: A revoked token stops receiving
    Given open sockets check their credential every 0.5 seconds
    And a worker that holds my tour half-way
    And I have requested a tour
    And I am following my tour over the WebSocket with my token
    When my token is revoked
    Then within 3 seconds I am told that my credential is no longer valid
    And the socket is closed with code 4401
    And nothing more reaches the socket, even when the tour finishes
    And the token is refused over HTTP too

  Scenario: A subscribe with a revoked token is refused
    Given I have requested a tour
    And I have a WebSocket open with my token
    When my token is revoked
    And I subscribe to my tour
    Then within 3 seconds I am told that my credential is no longer valid
    And the socket is closed with code 4401
