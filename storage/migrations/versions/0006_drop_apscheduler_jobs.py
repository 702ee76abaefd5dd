"""Drop APScheduler's job table: schedules are rebuilt from the registry and the last crawls.

Earlier versions kept the service's schedules in an APScheduler SQLAlchemy job store
(``apscheduler_jobs``, created by APScheduler itself, not by a migration). The service now keeps
its jobs in memory and takes each source's rhythm from when it was last crawled.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "apscheduler_jobs" in sa.inspect(op.get_bind()).get_table_names():
        op.drop_table("apscheduler_jobs")


def downgrade() -> None:
    pass  # APScheduler created the table itself when it needed it
