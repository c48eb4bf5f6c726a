Feature: A tour request survives the death of its worker
  Workers are killed without warning: SIGKILL, out of memory, a node that
  vanishes. A request that was running on such a worker must not stay
  "running" for ever: it runs again on a surviving worker, once, and a job
  that kills every worker it touches ends with a clear failure instead of
  circling for ever.

  Background:
    Given running requests are leased for 30 seconds and get 3 attempts
    And I have requested a tour

  Scenario: A killed worker's request runs again and succeeds
    Given a worker started my request and was killed
    When maintenance runs 29 seconds later
    Then my request is not sent again yet
    When maintenance runs 31 seconds after the kill
    Then my request is sent again exactly once
    And a surviving worker completes it on attempt 2

  Scenario: A second delivery leaves a live worker's request alone
    Given a worker is computing my request
    When the same job is delivered to another worker 10 seconds later
    Then the other worker skips it without computing anything
    And my request is still running on attempt 1

  Scenario: A request that kills every worker fails clearly
    Given every worker that starts my request is killed
    When maintenance has run after each of 3 attempts
    Then my request ends failed with "the route could not be computed after 3 attempts; try again later"
    And my followers were told it failed
