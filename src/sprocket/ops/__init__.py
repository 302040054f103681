"""Operators' work over every domain: the gauges an operator watches."""
