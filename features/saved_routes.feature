Feature: Keeping the tours I liked
  As someone who walks with the app I keep a tour I liked under a name of my
  own, long after the request it came from has expired, and find my saved
  tours again, newest first. Nobody else can see or delete them.

  Background:
    Given the service is running with a worker
    And I am a registered walker

  Scenario: A finished tour is saved and listed
    Given I have a finished 60 minute tour
    When I save it as "Sunday by the sea"
    Then it is saved as "Sunday by the sea" with its 2 stops
    And my saved tours list it first
    And reading it gives the same route the request gave

  Scenario: Saving the same tour twice keeps one copy
    Given I have a finished 60 minute tour
    When I save it as "first name"
    And I save it again as "second name"
    Then I have 1 saved tour, called "first name"

  Scenario: Saved tours come newest first, a page at a time
    Given I have saved 3 finished tours
    When I read my saved tours 2 at a time
    Then I see all 3, newest first, in 2 pages

  Scenario: A tour still being computed cannot be saved yet
    Given I have a tour request still being computed
    When I save it as "too soon"
    Then the save is refused with 409 "route-not-succeeded"

  Scenario: A saved tour outlives its request
    Given I have a finished 60 minute tour
    When I save it as "keeper"
    And a day passes and the expired requests are deleted
    Then the request is gone
    But my saved tour "keeper" is still there with its whole route

  Scenario: Nobody else can see or delete my saved tours
    Given I have a finished 60 minute tour
    When I save it as "mine"
    Then another walker cannot read it, delete it or find it in their list
    And another walker cannot save my request
