Feature: Identical tours are served from the cache
  When somebody asks for exactly the tour another request already produced
  (same start within a metre, duration, themes, seed and map data), the
  worker answers from the Redis cache instead of running the engine again.

  Scenario: The second identical request is a cache hit
    Given the service is running
    And I am a registered user with an API token
    And a worker is running
    When I request a 60 minute tour from 60.1712, 24.9441 about "history" and it finishes
    And I request the same tour again and it finishes
    Then the engine ran once
    And the second tour is marked as a cache hit
    And the worker counted 1 cache miss and 1 cache hit
