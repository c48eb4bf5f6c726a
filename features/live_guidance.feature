Feature: Live guidance while walking a tour
  A walker following one of their computed tours sends location fixes over
  /ws and gets, for each one, the next stop and how far it is along the path,
  an arrival with the stop's "why this stop" as the tip, the way back when
  they leave the route, and how they stand against the plan. A re-plan from
  where they stand skips the stops they have already seen. Nobody can follow
  someone else's tour.

  Background:
    Given the service is running with a worker
    And I am a walker with a computed tour

  Scenario: A walk with arrival, off-route and re-plan
    When I send my position at the start of the tour
    Then I am told the next stop is "Old Church", about 553 metres along the path
    And I am on time
    When I send my position at "Old Church" 5 minutes later
    Then I am told I have arrived at "Old Church" with the tip "why"
    And the next stop is "Park"
    When I send a position 300 metres east of the street to "Park"
    Then I am told I am off the route
    And the way back is about 300 metres to the west
    When I ask for a new 40 minute tour from here that skips the stops I have visited
    Then the new tour is planned without "node/1"
    And every guidance message matches the published schema

  Scenario: Someone else's tour cannot be followed
    Given another walker
    When they send a position on my tour
    Then they are told that the route does not exist
