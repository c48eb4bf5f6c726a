Feature: Cancelling a tour request, partial tours on a tight time limit, and my request history
  A walker who changes their mind stops a request with DELETE: a queued one
  ends at once, a running one as soon as its worker next reports progress.
  Either way it ends as failed with the error "cancelled", followers on /ws
  see that final message, and the worker does not try it again. A job that
  runs out of time still delivers the best tour its engine had found, marked
  partial. The history lists my own requests of the last 24 hours, newest
  first.

  Background:
    Given the service is running
    And I am a registered user with an API token

  Scenario: Cancelling a queued request
    Given I have requested a tour
    When I follow it over the WebSocket and cancel it once subscribed
    Then the cancel is answered 204
    And I see it queued, then failed with the error "cancelled"
    And every message matches the published schema
    And fetching it is refused with 410 "cancelled"
    And cancelling it again is answered 204
    And a worker started now never runs its engine for it

  Scenario: Cancelling a running request
    Given a worker whose engine I hold at its first step
    And I have requested a tour and the worker has started it
    When I cancel it
    And the engine goes on
    Then the cancel is answered 204
    And the worker stops at its next progress report, without a tour and without a retry
    And following it over the WebSocket shows only failed with the error "cancelled"
    And fetching it is refused with 410 "cancelled"

  Scenario: A tour that has finished cannot be cancelled
    Given a worker is running
    And I have requested a tour and it has finished
    When I cancel it
    Then the cancel is refused with 409 "route-request-finished"

  Scenario: Someone else's request cannot be cancelled
    Given another user has requested a tour
    When I cancel it
    Then the cancel is refused with 404 "not-found"

  Scenario: A tight time limit still gives a tour, marked partial
    Given jobs time out after 0.3 seconds
    And a worker whose engine takes 1 second
    And I have requested a tour
    When I follow it over the WebSocket
    Then I see it end as succeeded
    And the tour is marked partial

  Scenario: My request history
    Given another user has requested a tour
    And I have requested 3 tours
    When I list my requests 2 at a time
    Then I see my 3 requests newest first, each with its status and what I asked for
    And none of them is the other user's
