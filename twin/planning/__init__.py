"""Space planning: area standards, who sits where, room lifecycle and reallocation scenarios."""
