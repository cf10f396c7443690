"""The leg map's figures: count and volume per leg region, per session and per patient, and
the drawing's regions (every leg region drawn exactly once, each side on its own leg)."""

from datetime import timedelta

from compliance import leg_map
from compliance.rules.injection import LEG_REGIONS
from compliance.services import injection_sites, treatment
from compliance.services.injection_sites import SiteTotal, summarise
from tests.factories import PASSWORD
from tests.treatment_helpers import days_ago, inject, open_session


def test_a_summary_lists_every_region_in_order_and_zero_where_nothing_was_given():
    summary = summarise([("left calf", 2, 1_500)])
    assert [t.site for t in summary.regions] == list(LEG_REGIONS)
    assert summary.of("left calf") == SiteTotal("left calf", 2, 1_500)
    assert summary.of("right calf") == SiteTotal("right calf", 0, 0)
    assert (summary.injections, summary.volume_ul, summary.others) == (2, 1_500, ())


def test_rows_of_the_same_site_are_added_and_the_two_legs_kept_apart():
    summary = summarise([("left calf", 1, 500), ("right calf", 1, 250), ("left calf", 2, 750)])
    assert summary.of("left calf") == SiteTotal("left calf", 3, 1_250)
    assert [t.site for t in summary.side("left")] == [s for s in LEG_REGIONS
                                                        if s.startswith("left ")]
    assert sum(t.injections for t in summary.side("right")) == 1
    assert (summary.injections, summary.volume_ul) == (4, 1_500)


def test_a_site_off_the_map_is_still_counted():
    summary = summarise([("left calf", 1, 500), ("face", 1, 100)])
    assert summary.others == (SiteTotal("face", 1, 100),)
    assert (summary.injections, summary.volume_ul) == (2, 600)


def test_the_drawing_has_each_leg_region_once_with_its_label_outside_the_leg():
    assert sorted(leg_map.DRAWN_SITES) == sorted(LEG_REGIONS)
    for view in leg_map.VIEWS:
        assert {leg.side for leg in view.legs} == {"left", "right"}
        for region in view.regions:
            # The region is drawn on the leg of its own side.
            leg = next(leg for leg in view.legs if region.site.startswith(leg.side))
            assert region.transform == leg.transform
            left_x = view.centre_x - leg_map.LEG_WIDTH // 2
            assert not left_x <= region.label_x <= left_x + leg_map.LEG_WIDTH


def test_facing_the_patient_their_right_leg_is_on_the_viewers_left():
    front_first, _ = leg_map.FRONT.legs
    back_first, _ = leg_map.BACK.legs
    assert (front_first.side, back_first.side) == ("right", "left")


def test_the_outline_passes_through_every_measured_point():
    for edge in (leg_map.LATERAL, leg_map.MEDIAL):
        for y, x in edge:
            assert abs(leg_map.x_at(edge, y) - x) < 1e-9


def test_a_session_summary_counts_standing_injections_only(clinic):
    nurse = clinic["nurse"]
    session = open_session(nurse, clinic["patient"], clinic["prescription"], days_ago(0),
                           areas=("left calf", "right shin"))
    inject(nurse, session, clinic["batch"], 1_000, site="left calf")
    inject(nurse, session, clinic["batch"], 500, site="left calf")
    wrong = inject(nurse, session, clinic["batch"], 700, site="right shin")
    treatment.reverse_injection(nurse, wrong.id, "Recorded on the wrong patient")
    summary = injection_sites.of_session(session.id)
    assert summary.of("left calf") == SiteTotal("left calf", 2, 1_500)
    assert summary.of("right shin") == SiteTotal("right shin", 0, 0)
    assert (summary.injections, summary.volume_ul) == (2, 1_500)


def test_a_patient_summary_adds_every_session_and_no_other_patient(clinic):
    nurse, on = clinic["nurse"], days_ago(40)
    first = open_session(nurse, clinic["patient"], clinic["prescription"], on)
    inject(nurse, first, clinic["batch"], 1_000, site="left calf")
    treatment.sign_session(nurse, first.id, PASSWORD)
    second = open_session(nurse, clinic["patient"], clinic["prescription"],
                          on + timedelta(days=28), areas=("left calf", "right knee"))
    inject(nurse, second, clinic["batch"], 400, site="left calf")
    inject(nurse, second, clinic["other"], 300, site="right knee")
    summary = injection_sites.of_patient(clinic["patient"].id)
    assert summary.of("left calf") == SiteTotal("left calf", 2, 1_400)
    assert summary.of("right knee") == SiteTotal("right knee", 1, 300)
    assert injection_sites.of_session(first.id).injections == 1
    assert injection_sites.of_patient(clinic["patient"].id + 1000).injections == 0
