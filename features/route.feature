Feature: Planning a walking tour from the command line
  As a walker in central Helsinki I ask for a tour that fits my time and
  interests, and get an ordered list of stops with the street path between them.

  Background:
    Given the Helsinki extract is loaded

  Scenario: A 90-minute history and nature tour from the railway station
    When I ask for a 90 minute tour from 60.1712, 24.9441 about "history,nature"
    Then I get a GeoJSON tour with at least 4 stops
    And the tour starts and ends at 60.1712, 24.9441
    And walking plus time at the stops fits in 90 minutes
    And every stop says why it was chosen
    And the tour credits OpenStreetMap contributors

  Scenario: The same seed gives the same tour
    When I ask for a 60 minute tour from 60.1712, 24.9441 about "art" with seed 7
    And I ask for it again
    Then both answers list the same stops in the same order

  Scenario Outline: Impossible requests are refused with a clear message
    When I ask for a <minutes> minute tour from <lat>, <lng> about "<themes>"
    Then the command fails saying "<message>"

    Examples:
      | minutes | lat     | lng     | themes  | message                           |
      | 0       | 60.1712 | 24.9441 | history | duration must be at least 1       |
      | 100000  | 60.1712 | 24.9441 | history | at most 480 minutes               |
      | 60      | 95      | 24.9441 | history | latitude must be within -90..90   |
      | 60      | 60.1712 | 24.9441 | dancing | unknown theme(s) dancing          |
      | 60      | 61.5    | 23.8    | history | no walking network is stored within 2.7 km of the start |
      | 60      | 60.14   | 24.99   | history | from the nearest walkable street  |

  Scenario: An end out of reach of the time given is refused in one line
    When I ask for a 5 minute tour from 60.1712, 24.9441 ending at 60.1675, 24.9525
    Then the command fails saying "the end cannot be reached from the start within the 5-minute budget"
