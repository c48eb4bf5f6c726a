Feature: Loops that do not walk the same street twice
  A round trip is more pleasant when the way back is not the way out. Wildside
  plans a tour's walks one after another and keeps off the streets the tour has
  already walked wherever the other way adds no more than twice the length of
  street it spares. It never spends time the walker does not have: where the
  other way would not fit, the tour walks back the way it came. Every tour says
  what share of its walk retraces itself.

  Background:
    Given a viewpoint at the end of a 1 km shore road, with a park path beside it 200 m longer

  Scenario: The way back takes the other street
    When I ask for a 45 minute round trip to see it
    Then the tour goes out along the shore road and comes back along the park path
    And the tour says none of its walk retraces itself
    And walking plus time at the stops fits in 45 minutes

  Scenario: With no time for the other way, the tour comes back the way it went
    When I ask for a 32 minute round trip to see it
    Then the tour still visits the viewpoint
    And it goes out and back along the shore road
    And the tour says half of its walk retraces itself
    And walking plus time at the stops fits in 32 minutes
