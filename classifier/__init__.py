"""Understanding items: taxonomy, mentions, routing, and the taggers that suggest labels."""
