"""The compliance rules of D4: pure functions over plain facts, each limit named once."""
