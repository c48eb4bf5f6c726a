Feature: Walking my way without repeating myself
  As someone who always walks about an hour, slowly, looking for food and art,
  I save those preferences once; a tour request that leaves them out uses them,
  and one that states something else wins for that tour.

  Background:
    Given the service is running with a worker
    And I am a registered walker

  Scenario: Without saved preferences I get the system's
    When I read my preferences
    Then they are no themes, no duration and a pace of 1.3 m/s

  Scenario: Saved preferences fill in a request that leaves them out
    Given I have saved the themes "food,art", 45 minutes and a pace of 1.1 m/s
    When I request a tour giving only where I am
    Then the tour is planned for 45 minutes at 1.1 m/s about "art,food"

  Scenario: What a request states wins over the saved preferences
    Given I have saved the themes "food,art", 45 minutes and a pace of 1.1 m/s
    When I request a 90 minute tour about "nature"
    Then the tour is planned for 90 minutes at 1.1 m/s about "nature"

  Scenario: Without a saved duration the request must give one
    When I request a tour giving only where I am
    Then the request is refused with 422 naming "duration_minutes"

  Scenario: My preferences are mine alone
    Given I have saved the themes "food,art", 45 minutes and a pace of 1.1 m/s
    Then another walker still has the system's preferences
