"""storage temperatures (D7): readings per storage area, append-only, and data logger files
waiting for their preview to be confirmed

Revision ID: 748182958f1d
Revises: 3f0c2b7d9e1a
Create Date: 2026-11-26 18:37:24.462199

"""
from alembic import op
import sqlalchemy as sa

from compliance.append_only import (
    allow_truncate,
    drop_append_only,
    forbid_truncate,
    make_append_only,
)


# revision identifiers, used by Alembic.
revision = '748182958f1d'
down_revision = '3f0c2b7d9e1a'
branch_labels = None
depends_on = None


def upgrade():
    # Readings are facts: a wrong one is corrected by a new reading naming it, never edited.
    op.create_table('temperature_readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('storage_area_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('temperature_c', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('line_number', sa.Integer(), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.CheckConstraint("source IN ('manual', 'data logger')",
                       name=op.f('ck_temperature_readings_reading_source_known')),
    sa.ForeignKeyConstraint(['corrects_id'], ['temperature_readings.id'],
                            name=op.f('fk_temperature_readings_corrects_id_temperature_readings')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                            name=op.f('fk_temperature_readings_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['storage_area_id'], ['storage_areas.id'],
                            name=op.f('fk_temperature_readings_storage_area_id_storage_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_temperature_readings')),
    sa.UniqueConstraint('corrects_id', name=op.f('uq_temperature_readings_corrects_id'))
    )
    op.create_index('ix_temperature_readings_area_taken', 'temperature_readings',
                    ['storage_area_id', 'taken_at'])
    make_append_only('temperature_readings')
    forbid_truncate('temperature_readings')

    op.create_table('temperature_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('storage_area_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['storage_area_id'], ['storage_areas.id'],
                            name=op.f('fk_temperature_uploads_storage_area_id_storage_areas')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                            name=op.f('fk_temperature_uploads_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_temperature_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_temperature_uploads_token'))
    )
    op.create_index(op.f('ix_temperature_uploads_uploaded_at'), 'temperature_uploads',
                    ['uploaded_at'])
    op.create_index(op.f('ix_temperature_uploads_uploaded_by_id'), 'temperature_uploads',
                    ['uploaded_by_id'])


def downgrade():
    op.drop_index(op.f('ix_temperature_uploads_uploaded_by_id'), table_name='temperature_uploads')
    op.drop_index(op.f('ix_temperature_uploads_uploaded_at'), table_name='temperature_uploads')
    op.drop_table('temperature_uploads')
    allow_truncate('temperature_readings')
    drop_append_only('temperature_readings')
    op.drop_index('ix_temperature_readings_area_taken', table_name='temperature_readings')
    op.drop_table('temperature_readings')
