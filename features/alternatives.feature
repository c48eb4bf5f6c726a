Feature: Several distinct tours for one request
  A walker who wants to choose asks for up to five tours at once. They come back
  best first, each with its own seed and score, and no two share more than half
  of the smaller tour's stops, so each is a real alternative and not the same
  walk with one stop swapped.

  Scenario: Three distinct tours, best first
    Given a grid of streets with a place at every junction
    When I ask for a 30 minute tour about "history" with 3 alternatives
    Then 3 tours come back, best first, each with its own seed
    And no two of them share more than half of the smaller tour's stops

  Scenario: Asking for one tour changes nothing
    Given a grid of streets with a place at every junction
    When I ask for a 30 minute tour about "history" with 1 alternatives
    Then the result is the tour asked for without alternatives, and has none
