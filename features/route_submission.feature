Feature: Requesting a walking tour through the API
  As the developer of a walking app I send "I am here, I have 90 minutes, I
  like history and nature" and get a request id at once; the tour itself is
  computed in the background. Retries are safe, abuse is limited, and every
  mistake gets a clear answer.

  Background:
    Given the service is running
    And I am a registered user with an API token

  Scenario: A valid request is accepted at once
    When I request a 90 minute tour from 60.1712, 24.9441 about "history,nature"
    Then the request is accepted with a request id
    And the answer says where to find the result
    And the answer says how many requests I have left this minute

  Scenario: Sending the same request twice with one idempotency key
    When I request a 60 minute tour with idempotency key "trip-42"
    And I request the same tour again with idempotency key "trip-42"
    Then both answers carry the same request id
    And only one tour request exists

  Scenario: Reusing an idempotency key for a different tour
    When I request a 60 minute tour with idempotency key "trip-42"
    And I request a 30 minute tour with idempotency key "trip-42"
    Then the last request is refused with 409 "idempotency-key-conflict"

  Scenario: Asking without credentials
    When I request a tour without a token
    Then the last request is refused with 401 "unauthenticated"

  Scenario: Asking too often
    Given the service allows 3 route requests a minute
    When I request 4 tours in a row
    Then the last request is refused with 429 "rate-limited"
    And the answer says when to retry

  Scenario Outline: Invalid requests are refused with a problem description
    When I send the body <body>
    Then the last request is refused with <status> "<code>"

    Examples:
      | body                                                                                     | status | code             |
      | {"start": {"lat": 95, "lng": 24.9}, "duration_minutes": 60}                              | 422    | validation-error |
      | {"start": {"lat": 60.17, "lng": 24.94}, "duration_minutes": 0}                           | 422    | validation-error |
      | {"start": {"lat": 60.17, "lng": 24.94}, "duration_minutes": 600}                         | 422    | validation-error |
      | {"start": {"lat": 60.17, "lng": 24.94}, "duration_minutes": 60, "preferences": ["gold"]} | 422    | validation-error |
      | {"duration_minutes": 60}                                                                 | 422    | validation-error |
      | {"start": {"lat": 60.17, "lng":                                                          | 400    | malformed-request |
