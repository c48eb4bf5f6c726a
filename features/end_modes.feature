Feature: Where a tour ends: back at the start, at a chosen point, or anywhere
  A walker who does not need to come back (a tram home, a friend's flat, a café)
  says the tour may end anywhere: it then finishes at its last stop, wherever the
  time runs out, and spends no time walking back.

  Background:
    Given the Helsinki extract is loaded

  Scenario: A walker who does not need to come back gets a longer tour
    When I ask for a 60 minute round trip from 60.1712, 24.9441 about "history,nature"
    And I ask for the same tour ending anywhere
    Then the tour that ends anywhere collects at least as much as the round trip
    And it visits more places, and spends more of its time at them
    And it ends at its last stop, not at the start
    And walking plus time at the stops fits in 60 minutes
