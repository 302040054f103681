async def test_standings_query(gql, world):
    data = await gql.ok(
        "query($s: ID!) { standings(seasonId: $s) { rank team { name } points } }",
        {"s": str(world.season_id)},
    )
    assert [row["rank"] for row in data["standings"]] == [1, 2, 3, 4]
