Feature: Open when you get there
  A tour visits a place only while it is open: from the moment the walker arrives
  until the visit ends. A place that is closed then is left out, the tour is planned
  around it, and the result lists it as skipped because it was closed, so the walker
  knows why it is missing. Hours are read as OpenStreetMap tags them, in the place's
  own time zone and with its country's public holidays. A place whose hours are not
  tagged, or cannot be read, counts as open and says its opening is unknown.

  Background:
    Given a street in Helsinki with a museum three minutes' walk from the start
    And a statue and a park along the same street, with no hours tagged

  Scenario: A morning walk visits the museum, open when the walker gets there
    Given the museum is tagged "Tu-Su 10:00-18:00"
    When I ask for a 90 minute tour about "art" starting at "2026-12-08T10:00:00+02:00"
    Then the museum is a stop, open at arrival, with its hours "Tu-Su 10:00-18:00"
    And the statue says its opening is unknown
    And no place is skipped as closed

  Scenario: An evening walk leaves the closed museum out and says so
    Given the museum is tagged "Tu-Su 10:00-18:00"
    When I ask for a 90 minute tour about "art" starting at "2026-12-08T19:00:00+02:00"
    Then the museum is not a stop
    And the museum is listed as skipped because it is closed, with its hours
    And the tour still visits the statue and the park

  Scenario: A museum that closes before the visit would end is not visited
    Given the museum is tagged "Tu-Su 10:00-10:30"
    When I ask for a 90 minute tour about "art" starting at "2026-12-08T10:00:00+02:00"
    Then the museum is not a stop
    And the museum is listed as skipped because it is closed, with its hours

  Scenario: On a public holiday a place closed on holidays is closed
    Given the museum is tagged "Mo-Su 10:00-18:00; PH off"
    When I ask for a 90 minute tour about "art" starting at "2026-12-25T11:00:00+02:00"
    Then the museum is not a stop
    And the museum is listed as skipped because it is closed, with its hours

  Scenario: Hours nobody can read count as open, and the stop says so
    Given the museum is tagged "ask at the door"
    When I ask for a 90 minute tour about "art" starting at "2026-12-08T19:00:00+02:00"
    Then the museum is a stop whose opening is unknown, with its hours "ask at the door"
