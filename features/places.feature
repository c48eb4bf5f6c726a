Feature: Places near me
  As the developer of a walking app I show the interesting places around the
  walker on a map: what they are, how well they suit the walker's interests,
  and where to read more. The list comes a page at a time, best first, and
  every page says where the data comes from.

  Background:
    Given the service is running
    And the map holds 25 places around 60.17, 24.94
    And I am a registered user with an API token

  Scenario: Places within a kilometre, best first
    When I ask for places within 1000 m of 60.17, 24.94
    Then I get a GeoJSON collection of 25 places
    And they are sorted best first
    And each place links to its OpenStreetMap page
    And the answer credits OpenStreetMap contributors under the ODbL

  Scenario: Reading every page
    When I read every page of places within 1000 m of 60.17, 24.94, 10 at a time
    Then I get 3 pages
    And every place comes exactly once

  Scenario: Only the themes I like
    When I ask for "art" places within 1000 m of 60.17, 24.94
    Then every place I get is about "art"
    And each one is scored as a tour about "art" would score it

  Scenario: Asking for too wide a circle
    When I ask for places within 6000 m of 60.17, 24.94
    Then the last request is refused with 422 "validation-error"

  Scenario: A cursor that was tampered with
    When I ask for the next page with the cursor "not-a-real-cursor"
    Then the last request is refused with 400 "invalid-cursor"

  Scenario: Asking without credentials
    When I ask for places without a token
    Then the last request is refused with 401 "unauthenticated"

  Scenario: Asking too often
    Given the service allows 2 place queries a minute
    When I ask for places 3 times in a row
    Then the last request is refused with 429 "rate-limited"
    And the answer says when to retry
