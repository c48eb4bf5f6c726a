Feature: Following a tour request live over a WebSocket
  A client subscribes to its own request on /ws and sees it move from queued
  to running (with progress) to succeeded or failed, in that order only, in
  messages that follow the published JSON schema.

  Background:
    Given the service is running
    And I am a registered user with an API token

  Scenario: Watching a tour being computed
    Given I have requested a tour
    And a worker that starts only once I am subscribed
    When I follow it over the WebSocket
    Then I see it queued, then running with rising progress, then succeeded
    And every message matches the published schema
    And the finished tour can be fetched

  Scenario: A tour that cannot be computed
    Given a worker whose engine refuses tours with "no walkable street within 400 m of the start"
    And I have requested a tour
    When I follow it over the WebSocket
    Then I see it end as failed with the error "no walkable street within 400 m of the start"
    And every message matches the published schema
    And fetching it is refused with 422 "route-generation-failed"

  Scenario: A job that runs out of time before its engine finds any tour
    Given jobs time out after 0.3 seconds
    And a worker that needs 1 second before its engine starts
    And I have requested a tour
    When I follow it over the WebSocket
    Then I see it end as failed with the error "timeout"
    And fetching it is refused with 504 "timeout"

  Scenario: Someone else's request stays private
    Given another user has requested a tour
    When I follow their request over the WebSocket
    Then I am told that the request does not exist

  Scenario: Following a tour that has already finished
    Given a worker is running
    And I have requested a tour and it has finished
    When I follow it over the WebSocket
    Then I see only its final status "succeeded"

  Scenario: Watching better tours arrive while a tour is computed
    Given a worker whose engine finds better tours as it searches, once I am subscribed
    And I have requested a tour
    When I follow it over the WebSocket
    Then I see better tours between running and succeeded, each scoring more than the last
    And every message matches the published schema
    And the finished tour scores at least as much as every better tour I saw
