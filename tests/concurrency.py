"""Many requests at the same moment: each action in a thread of its own, released together."""

import threading

from compliance.extensions import db


def _in_own_session(app, action, barrier, outcomes) -> None:
    with app.app_context():
        try:
            outcomes.append(action(barrier.wait))
        except Exception as error:  # noqa: BLE001 - the outcome is the finding
            barrier.abort()  # a thread that fails before `ready` must not strand the rest
            outcomes.append(repr(error))
        finally:
            db.session.remove()


def at_once(app, actions, timeout: float = 60) -> list:
    """Run every action in its own thread, app context and database session; each calls the
    `ready` it is given once it has read what it needs, and all go on together from there.

    Returns the outcomes in the order they finished: what an action returned, or the repr of
    the error it raised (so an unexpected error shows in the test's assertion)."""
    # End this thread's read transaction first: its snapshot must not hold back the threads.
    db.session.commit()
    barrier, outcomes = threading.Barrier(len(actions)), []
    threads = [threading.Thread(target=_in_own_session, args=(app, action, barrier, outcomes),
                                daemon=True) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
