Feature: A person plans a tour on the map page
  `wildside serve` (and so `wildside dev`) serves a map page at / that needs
  no internet: MapLibre GL JS comes from npm at set-up, and the map draws, on
  a plain background, the walking network and the places from the vector
  tiles the server builds from PostGIS (/tiles, the production tile
  gateway's URL scheme), and the tour's own walking path. A person signs in
  (an API token, or a name and password that open a session), sets a start
  on the map, picks minutes, themes and how many tours to choose from,
  watches the progress over the WebSocket and sees the tour: the path as a
  line, numbered stops, and a list of the stops with each one's reason; with
  several tours, a list to switch between them, the others drawn faint.
  These scenarios run in headless Chromium and are skipped only where it is
  not installed.

  Background:
    Given the service is running with a worker
    And the map page is open in a browser

  Scenario: Planning a 30-minute tour with an API token
    Given I paste my API token and sign in
    When I set the start in central Helsinki
    And I ask for a 30-minute tour about history and art
    Then the page shows the tour
    And it followed the tour's progress over the WebSocket
    And the map draws the tour's path as a line
    And the stops are numbered on the map and listed with their reasons
    And the browser reports no error

  Scenario: Signing in with a name and password (the session cookie follows the tour too)
    Given I sign in with my name and password
    When I set the start in central Helsinki
    And I ask for a 30-minute tour about art
    Then the page shows the tour
    And it followed the tour's progress over the WebSocket
    And the stops are numbered on the map and listed with their reasons
    And the browser reports no error

  Scenario: Choosing between two tours over the walking network
    Given the map draws the walking network and the places from vector tiles
    And I paste my API token and sign in
    When I set the start in central Helsinki
    And I ask for 2 tours of 45 minutes about history and art
    Then the page shows the tour
    And the tours are listed to choose from, the best first and shown
    When I choose the second tour
    Then the map draws the second tour in full and the first faint
    And the stops are numbered on the map and listed with their reasons
    And the browser reports no error
