Feature: Enriching sparse areas from the Overpass API
  When a tour's area has few places in our database, a background worker asks
  the Overpass API for more, politely: within a daily quota that every worker
  shares, at most two calls at a time across all workers, and not at all
  while a server keeps failing. Every outcome is counted.

  Background:
    Given an Overpass server on this machine
    And enrichment allows 2 concurrent calls, 100 calls a day, and 3 attempts per job

  Scenario: A successful enrichment adds places and counts the success
    Given the Overpass server answers with places
    When an enrichment job runs for central Helsinki
    Then 4 new places are stored with the server as their source
    And the job is logged as "succeeded" with 4 places received
    And the "succeeded" job counter is 1

  Scenario: An exhausted quota makes no outbound call
    Given today's quota of Overpass calls is used up
    When an enrichment job runs for central Helsinki
    Then the Overpass server received no call
    And the job is logged as "quota_denied"
    And the "quota_denied" job counter is 1

  Scenario: Repeated failures open the circuit and later jobs short-circuit
    Given the Overpass server fails every call with 503
    And the circuit opens after 3 consecutive failures
    When an enrichment job runs for central Helsinki
    And another enrichment job runs for central Helsinki
    Then the Overpass server received 3 calls
    And the jobs are logged as "retry_exhausted" then "circuit_open"
    And the breaker gauge of the server shows it open

  Scenario: A successful half-open probe closes the circuit
    Given the server's circuit opened 2 minutes ago with a cooldown of 1 minute
    And the Overpass server answers with places
    When an enrichment job runs for central Helsinki
    Then the breaker of the server went half-open for the probe, then closed
    And the job is logged as "succeeded" with 4 places received
    And the breaker gauge of the server shows it closed

  Scenario Outline: Timeouts and exhausted retries are counted
    Given the Overpass server answers every call <how>
    When an enrichment job runs for central Helsinki
    Then the Overpass server received 3 calls
    And the job is logged as "<outcome>"
    And the "<outcome>" job counter is 1

    Examples:
      | how                          | outcome         |
      | too slowly for the client    | timeout         |
      | with 429 Too Many Requests   | retry_exhausted |
      | with 503 Service Unavailable | retry_exhausted |

  Scenario: The semaphore limits concurrent outbound calls
    Given the Overpass server takes 0.3 seconds to answer with places
    When 6 enrichment jobs run at the same time
    Then the Overpass server never had more than 2 calls in flight at once
    And all 6 jobs are logged as "succeeded"
