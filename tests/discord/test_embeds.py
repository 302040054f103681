"""Embeds within Discord's limits, whatever a command puts in them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sprocket.discord.embeds import Embed, Field, payloads


def size(embed: dict) -> int:
    fields = sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", ()))
    footer = len(embed.get("footer", {}).get("text", ""))
    return len(embed["title"]) + len(embed.get("description", "")) + fields + footer


def test_each_part_is_cut_to_its_limit() -> None:
    [embed] = payloads([Embed("T" * 300, "D" * 5000, [Field("N" * 300, "V" * 2000)])])
    assert len(embed["title"]) == 256 and embed["title"].endswith("…")
    assert len(embed["fields"][0]["name"]) == 256
    assert len(embed["fields"][0]["value"]) == 1024
    assert size(embed) <= 6000


def test_fields_past_25_are_left_out_and_the_footer_says_so() -> None:
    [embed] = payloads([Embed("Board", fields=[Field(f"{n}", "x") for n in range(30)])])
    assert len(embed["fields"]) == 25
    assert embed["footer"]["text"] == "(5 more not shown)"


def test_an_empty_field_is_a_dash() -> None:
    [embed] = payloads([Embed("Board", fields=[Field("", "  ")])])
    assert embed["fields"] == [{"name": "-", "value": "-", "inline": False}]


@given(
    st.lists(
        st.tuples(
            st.text(max_size=400),
            st.text(max_size=6000),
            st.lists(st.tuples(st.text(max_size=300), st.text(max_size=1500)), max_size=30),
            st.text(max_size=2500),
        ),
        max_size=12,
    )
)
def test_a_message_never_passes_discords_limits(parts: list) -> None:
    embeds = [
        Embed(title, description, [Field(n, v) for n, v in fields], footer)
        for title, description, fields, footer in parts
    ]
    shaped = payloads(embeds)
    assert len(shaped) <= 10
    assert sum(size(e) for e in shaped) <= 6000
    for embed in shaped:
        assert 1 <= len(embed["title"]) <= 256
        assert len(embed.get("description", "")) <= 4096
        assert len(embed.get("fields", ())) <= 25
        assert len(embed.get("footer", {}).get("text", "")) <= 2048
