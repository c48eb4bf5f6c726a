Feature: A full route cache never holds up route requests
  The route cache and the job queue live on separate Redis servers. The cache
  has a memory budget and evicts the least used routes once it is full; the
  queue never evicts. So a full cache costs recomputation, never a queued job.

  Scenario: A route cache past its memory budget still lets every tour finish
    Given the service is running with its route cache on a 2 MB server already full
    And I am a registered user with an API token
    And a worker is running
    When I request 3 different tours and they finish
    Then the cache server evicted entries to stay within its budget
    And the tours were cached on the cache server, not the queue server
    And the queue server evicted nothing
