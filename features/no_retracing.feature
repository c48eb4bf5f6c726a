Feature: Loops that do not walk the same street twice
  A round trip is more pleasant when the way back is not the way out. Wildside
  plans a tour's walks one after another and keeps off the streets the tour has
  already walked wherever the other way adds no more than twice the length of
  street it spares. It never spends time the walker does not have, and never
  reaches a place after it has closed: where the other way would not fit, the
  tour walks back the way it came. Every tour says what share of its walk
  retraces itself.

  Scenario: The way back takes the other street
    Given a viewpoint at the end of a 1 km shore road, with a park path beside it 200 m longer
    When I ask for a 45 minute round trip to see it
    Then the tour goes out along the shore road and comes back along the park path
    And the tour says none of its walk retraces itself
    And walking plus time at the stops fits in 45 minutes

  Scenario: With no time for the other way, the tour comes back the way it went
    Given a viewpoint at the end of a 1 km shore road, with a park path beside it 200 m longer
    When I ask for a 32 minute round trip to see it
    Then the tour still visits the viewpoint
    And it goes out and back along the shore road
    And the tour says half of its walk retraces itself
    And walking plus time at the stops fits in 32 minutes

  Scenario: A detour that would reach a place after it closes is not taken
    Given a pier 520 m east of the start that closes at 10:18, and a garden 130 m north that closes at 10:26
    And a path from the pier to the garden that keeps off the start's streets but is 140 m longer
    When I ask at 10:00 for a 45 minute round trip to both
    Then the tour visits the pier and then the garden, each while it is open
    And it walks from the pier to the garden the shorter way, back past the start
    And the tour says half of its walk retraces itself
