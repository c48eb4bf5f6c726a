Feature: Loading OpenStreetMap data
  As an operator I load an OpenStreetMap extract so that Wildside knows the
  places worth visiting and the streets people can walk between them.

  Background:
    Given an empty, migrated Wildside database

  Scenario: Ingesting central Helsinki
    When I ingest the bundled Helsinki extract
    Then the report says more than 400 points of interest were inserted
    And the walking network has more than 3000 edges
    And no hotel, bench or information board is stored as a point of interest

  Scenario: Ingesting the same extract twice changes nothing
    Given the bundled Helsinki extract was ingested
    When I ingest the bundled Helsinki extract
    Then the report says 0 points of interest were inserted and 0 updated
    And every point of interest is reported unchanged

  Scenario Outline: A bad file is refused and earlier data stays intact
    Given the bundled Helsinki extract was ingested
    When I ingest <a bad file> with the wildside command
    Then the command fails with a one-line error naming the file
    And the stored data is exactly as before

    Examples:
      | a bad file         |
      | a missing file     |
      | a file that is not a PBF |
      | a truncated PBF    |

  Scenario: An operator rebuilds the tiles after an upgrade
    Given the bundled Helsinki extract was ingested
    And its walking-graph tiles were written by an older Wildside
    When I run "wildside rebuild-tiles"
    Then the command reports every tile rebuilt
    And the walking-graph tiles are those a fresh ingest builds
    And a tour of central Helsinki can be planned
