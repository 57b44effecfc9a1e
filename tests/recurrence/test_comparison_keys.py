"""Each recommendation keeps its text's comparison key (Recommendation.comparison_key): written by save(), the
import and the migration that added it, and read as stored by the first comparison in a process."""

import datetime
import importlib
import logging

import pytest
import time_machine
from django.apps import apps
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.shared_cache import SHARED_CACHE
from recommendations import recurrence
from recommendations.comparison_keys import comparison_key
from recommendations.importing import import_report
from recommendations.models import Recommendation
from tests.factories import make_recommendation
from tests.support.ports import free_port
from tests.test_report_parser import KENT, seed

VETTING = "Reduce vetting delays and address workforce instability by implementing streamlined recruitment processes."
MIGRATION = importlib.import_module("recommendations.migrations.0008_recommendation_comparison_key")


def stored_key(recommendation: Recommendation) -> str:
    return Recommendation.objects.values_list("comparison_key", flat=True).get(pk=recommendation.pk)


@pytest.mark.django_db
def test_save_keeps_the_key_of_the_text_as_it_is_now() -> None:
    recommendation = make_recommendation(text=VETTING)
    assert stored_key(recommendation) == comparison_key(VETTING) != ""

    recommendation.text = "Publish the approved premises referral criteria."
    recommendation.save(update_fields=["text"])
    assert stored_key(recommendation) == comparison_key("Publish the approved premises referral criteria.")


@pytest.mark.django_db
def test_saving_a_recommendation_read_without_its_text_neither_reads_it_nor_changes_the_key() -> None:
    recommendation = make_recommendation(text=VETTING)
    partial = Recommendation.objects.only("pk", "status", "priority").get(pk=recommendation.pk)

    partial.priority = True
    partial.save(update_fields=["priority"])

    assert "text" in partial.get_deferred_fields()  # not read (a query) to work out a key
    assert stored_key(recommendation) == comparison_key(VETTING)


@pytest.mark.django_db
def test_the_import_stores_each_recommendations_key() -> None:
    inspection = import_report(text=seed(KENT), published_on=datetime.date(2025, 10, 14)).inspection

    rows = list(inspection.recommendations.values_list("text", "comparison_key"))
    assert rows and all(key == comparison_key(text) != "" for text, key in rows)


@pytest.mark.django_db
def test_the_migration_works_out_the_key_of_every_recorded_recommendation(monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = [make_recommendation(text=f"{VETTING} Point {n}.") for n in range(5)]
    Recommendation.objects.update(comparison_key="")
    monkeypatch.setattr(MIGRATION, "BATCH", 2)  # several batches, and a last one short

    with connection.schema_editor() as schema_editor:
        MIGRATION.work_out_keys(apps, schema_editor)

    assert [stored_key(one) for one in recorded] == [comparison_key(one.text) for one in recorded]


@pytest.mark.django_db
def test_a_process_comparing_for_the_first_time_reads_the_stored_keys_in_one_query() -> None:
    found_by_key = make_recommendation(text=VETTING)
    key_elsewhere = make_recommendation(text=VETTING)
    # The stored key is what is compared, not one worked out again from the text: a key that no longer matches its
    # text (only a write around save() could leave one) is not found.
    Recommendation.objects.filter(pk=key_elsewhere.pk).update(comparison_key="publi premi")
    recurrence.forget_keys()

    with CaptureQueriesContext(connection) as captured:
        found = recurrence.likely_repeats([VETTING])

    assert [repeat.recommendation for repeat in found[0]] == [found_by_key]
    assert recurrence.kept_keys() == 2
    assert len(captured) == 2  # every key in one query, the likely repeats themselves in one more


@pytest.mark.django_db
def test_a_process_starting_later_reads_the_keys_another_shared_and_only_what_changed_since() -> None:
    now = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(now - datetime.timedelta(hours=2)):
        shared_then_changed, found_by_its_text = make_recommendation(text=VETTING), make_recommendation(text="Other.")
    with time_machine.travel(now - datetime.timedelta(hours=1)):
        assert recurrence.likely_repeats([VETTING])[0]  # the first process reads every key, and shares them
    # A write around save() changes a key without dating the row: only the shared copy still has the old key.
    Recommendation.objects.filter(pk=shared_then_changed.pk).update(comparison_key="publi premi")
    found_by_its_text.text = VETTING
    found_by_its_text.save()  # dated now: read again from the database
    added = make_recommendation(text=VETTING)
    recurrence.forget_keys(shared=False)  # a new process

    with CaptureQueriesContext(connection) as captured:
        found = recurrence.likely_repeats([VETTING])

    assert {repeat.recommendation for repeat in found[0]} == {shared_then_changed, found_by_its_text, added}
    assert recurrence.kept_keys() == 3
    assert len(captured) == 2  # what changed since the copy in one query, the likely repeats in one more
    assert "updated_at" in captured[0]["sql"]


@pytest.mark.django_db
def test_with_no_shared_cache_every_key_is_read_from_the_database(settings, caplog: pytest.LogCaptureFixture) -> None:
    recorded = make_recommendation(text=VETTING)
    settings.CACHES = {
        **settings.CACHES,
        SHARED_CACHE: {**settings.CACHES[SHARED_CACHE], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"},
    }

    with caplog.at_level(logging.WARNING):
        found = recurrence.likely_repeats([VETTING])

    assert [repeat.recommendation for repeat in found[0]] == [recorded]
    assert "Recurrence: the shared cache did not answer; reading every key" in caplog.text
    assert "Recurrence: the shared cache did not answer; the keys are not shared" in caplog.text


def test_a_row_read_again_replaces_its_key_and_a_late_one_goes_in_the_order_of_pks() -> None:
    kept = recurrence._Corpus(pks=[1, 5], keys=["one", "five"])

    kept._put(5, "five again")
    kept._put(7, "seven")
    kept._put(3, "three")  # its import committed after the one of 5

    assert (kept.pks, kept.keys) == ([1, 3, 5, 7], ["one", "three", "five again", "seven"])


@pytest.mark.django_db
def test_beat_renews_the_shared_copy_with_what_was_added_since() -> None:
    """share_keys (beat, recommendations.share_comparison_keys) brings the keys up to date and shares them afresh,
    so that a process starting later reads from the database nothing that was there at the renewal."""
    first = make_recommendation(text=VETTING)
    assert recurrence.share_keys() == 1
    added = make_recommendation(text=VETTING)
    assert recurrence.share_keys() == 2  # and again: running it twice only shares twice
    assert recurrence.share_keys() == 2
    _made_at, pks, keys = caches[SHARED_CACHE].get(recurrence.SHARED_KEYS)
    assert pks == [first.pk, added.pk] and keys.split("\n") == [first.comparison_key, added.comparison_key]
    recurrence.forget_keys(shared=False)  # a new process
    with CaptureQueriesContext(connection) as captured:
        found = recurrence.likely_repeats([VETTING])
    assert {repeat.recommendation for repeat in found[0]} == {first, added}
    assert "updated_at" in captured[0]["sql"]  # what changed since the renewal only, not every key


def test_beat_renews_the_copy_well_within_its_life() -> None:
    from config.celery import app

    entry = app.conf.beat_schedule["comparison-keys"]
    assert entry["task"] == "recommendations.share_comparison_keys"
    assert entry["schedule"].run_every.total_seconds() * 3 <= recurrence.SHARED_KEYS_SECONDS
