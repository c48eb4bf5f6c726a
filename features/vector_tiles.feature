Feature: Vector tiles of the walking network and the places
  A web map draws the walking network and the places from vector tiles that
  the server builds from PostGIS, at the URLs the production tile gateway
  serves in front of Martin, so the same map works against `wildside serve`
  and behind the Helm chart. Tiles are public map data: no token is needed,
  every answer can be cached until the data changes, and a wrong address is
  a clear problem, never a server error.

  Background:
    Given the service is running with central Helsinki loaded

  Scenario: A tile of the walking network around the centre
    When I ask for the walk_edges tile at zoom 16 around 60.1712, 24.9441
    Then I get a vector tile with one layer "walk_edges" of lines
    And each line says its way, its highway kind and its length

  Scenario: The places and the network in one tile
    When I ask for the pois,walk_edges tile at zoom 15 around 60.1712, 24.9441
    Then I get a vector tile with the layers "pois" and "walk_edges"

  Scenario: Where the map has no data the tile is empty
    When I ask for the pois tile at zoom 14 around 61.4978, 23.7610
    Then I get an empty tile

  Scenario: A map knows the source from its TileJSON
    When I ask for the TileJSON of walk_edges
    Then it names the tile URL, zooms 13 to 18, the data's bounds and the OpenStreetMap credit

  Scenario: A copy the map already holds is not sent again until the data changes
    Given I hold the walk_edges tile at zoom 16 around 60.1712, 24.9441 with its tag
    When I ask for it again with that tag
    Then the answer is "not modified"
    When new map data is imported
    And I ask for it again with that tag
    Then I get the tile again under a new tag

  Scenario Outline: A wrong address is a 404 problem
    When I ask for "<path>"
    Then the last request is refused with 404 "<code>"

    Examples:
      | path                           | code                |
      | /tiles/roads/14/9327/4742.pbf  | unknown-tile-source |
      | /tiles/pois/14/16384/0.pbf     | no-such-tile        |
      | /tiles/pois/23/0/0.pbf         | no-such-tile        |
      | /tiles/pois/14/9327/4742.png   | no-such-tile        |
