"""What ``serve`` and ``worker`` do by themselves besides answering: close the pre-notification windows that
ended (raising ``notification.unmatched``) and refresh the learned profile set as traffic arrives.

It sits beside the screening assembly (it reads the corridors and learns through it) and below the entry
points, which each run a ``ChoreThread`` next to their alert deliverer.
"""

from interdictor.background.chores import Chore, ChoreThread, chores
from interdictor.background.profiles import refresh_if_due
from interdictor.background.windows import close_due, close_windows

__all__ = ["Chore", "ChoreThread", "chores", "close_due", "close_windows", "refresh_if_due"]
