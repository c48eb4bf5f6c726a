Feature: Every failed job leaves one log line for the operator
  The runbooks send operators to the worker logs when jobs fail. Each failed,
  timed-out, retried or dead-lettered job writes exactly one structured line
  saying which job, which queue, why (a stable error code) and on which
  attempt, and never who asked for it or where.

  Scenario: A route the engine refuses
    Given a route job the engine refuses with "no-walking-network"
    When a worker runs it
    Then the worker logs one "failed" line with code "no-walking-network" on attempt 1
    And no line names the user, their key or the exact start

  Scenario: A route job while the database is down
    Given a route job whose database is down on every attempt
    When a worker runs it
    Then the worker logs one "retried" line with code "service-unavailable" on attempt 1
    And the worker logs one "dead-lettered" line with code "service-unavailable" on attempt 2
    And no line names the user, their key or the exact start

  Scenario: An enrichment job whose Overpass calls time out
    Given an enrichment job whose Overpass calls all time out
    When a worker runs it
    Then the worker logs one "timed-out" line with code "overpass-timeout" on attempt 1
