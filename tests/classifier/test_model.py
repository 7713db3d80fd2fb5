"""The trained classifier: normalisation, registry with skops, the promotion gate, the
CLI, suggestions from the active model, and the learning loop from decisions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aduan.cli import cli
from classifier.bootstrap import bootstrap_training_set, ensure_active_model
from classifier.decisions import decision_labels
from classifier.lifecycle import promote, read_holdout
from classifier.model import build_pipeline
from classifier.normalize import normalize_text
from classifier.registry import ModelRegistry, UntrustedModelError
from classifier.tag import build_default_tagger
from classifier.train import load_training_csv, train_bundle
from models import (
    Agency,
    Item,
    RejectReason,
    Source,
    SourceKind,
    TriageDecision,
    TriageState,
)
from tests.conftest import write_surabaya_sample


def test_normalisation_handles_informal_indonesian() -> None:
    text = "Tolonggg @DishubBjm jln di #JalanAYani rusak bgt, hub 0812-3456-7890 https://t.co/x"
    assert normalize_text(text) == (
        "tolong dishubbjm jalan di jalan a yani rusak banget hub _telp_ _url_"
    )
    assert normalize_text("NIK 6371012345678901 anak2 gak sekolah") == (
        "nik _nik_ anak anak tidak sekolah"
    )


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    """1,500 rows of the shared Surabaya data, enough for a real but quick model."""
    return write_surabaya_sample(tmp_path_factory.mktemp("data") / "kecil.csv", every=7)


def test_registry_round_trip_with_skops(tmp_path: Path, small_csv: Path) -> None:
    data = load_training_csv(small_csv)
    bundle = train_bundle(data)
    registry = ModelRegistry(tmp_path)
    version = registry.save(bundle, kind="trained", data_digest=data.digest(), n_rows=len(data))
    loaded = registry.load(version)
    texts = data.texts[:50]
    assert (loaded.topic.predict(texts) == bundle.topic.predict(texts)).all()
    meta = registry.versions()[0]
    assert meta["training_data_sha256"] == data.digest()
    assert {"scikit-learn", "numpy", "skops"} <= set(meta["libraries"])
    assert not list((tmp_path / "versions" / version).glob("*.pkl"))


class Sneaky:
    """A type no model file should hold."""


def test_model_files_with_unknown_types_are_refused(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    bundle = train_bundle(bootstrap_training_set())
    version = registry.save(bundle, kind="bootstrap", data_digest="x" * 64, n_rows=1)
    sio.dump({"model": Sneaky()}, tmp_path / "versions" / version / "topic.skops")
    with pytest.raises(UntrustedModelError, match="tidak dipercaya"):
        registry.load(version)


def test_cli_train_evaluate_list_and_the_gate(tmp_path: Path, small_csv: Path) -> None:
    runner = CliRunner()
    reg = tmp_path / "models"
    trained = runner.invoke(
        cli, ["classifier", "train", "--data", str(small_csv), "--out", str(reg)]
    )
    assert trained.exit_code == 0, trained.output
    assert "dipromosikan" in trained.output and (reg / "holdout.csv").is_file()
    assert "model urusan selesai" in trained.output and "holdout urusan" in trained.output
    # The history of the active model is kept for the nightly retrain (flows/retrain.py).
    from classifier.lifecycle import read_history

    kept = read_history(ModelRegistry(reg))
    given = load_training_csv(small_csv)
    assert "Riwayat berlabel disimpan" in trained.output and kept is not None
    assert (kept.texts, kept.agencies, kept.dates) == (given.texts, given.agencies, given.dates)
    trial = runner.invoke(
        cli,
        ["classifier", "train", "--data", str(small_csv), "--out", str(tmp_path / "coba"),
         "--no-activate"],
    )  # fmt: skip
    assert trial.exit_code == 0, trial.output
    assert not (tmp_path / "coba" / "history.csv").exists()  # only the active model's
    result = runner.invoke(
        cli,
        [
            "classifier",
            "evaluate",
            "--data",
            str(reg / "holdout.csv"),
            "--text-column",
            "text",
            "--topic-column",
            "topic",
            "--agency-column",
            "agency",
            "--model",
            str(reg),
            "--json",
        ],
    )
    metrics = json.loads(result.output)
    for task in ("topic", "agency", "function"):
        assert set(metrics[task]) == {
            "accuracy",
            "macro_f1",
            "top3_accuracy",
            "accuracy_at_80_coverage",
        }
        assert 0.4 < metrics[task]["accuracy"] <= 1
    assert metrics["n"] > 100
    text = runner.invoke(
        cli, ["classifier", "evaluate", "--data", str(small_csv), "--model", str(reg)]
    )
    assert "macro-F1" in text.output and "Dinas Perhubungan" in text.output

    registry = ModelRegistry(reg)
    good = registry.active_version()
    weak = train_bundle(bootstrap_training_set())  # knows nothing of Surabaya's agencies
    weak.agency_functions = {}
    worse = registry.save(weak, kind="bootstrap", data_digest="0" * 64, n_rows=10)
    refused = runner.invoke(cli, ["classifier", "promote", worse, "--model-dir", str(reg)])
    assert refused.exit_code == 1 and "turun" in refused.output
    assert registry.active_version() == good
    forced = promote(registry, worse, holdout=read_holdout(registry.holdout_path), force=True)
    assert forced.promoted and registry.active_version() == worse
    listing = runner.invoke(cli, ["classifier", "list", "--model-dir", str(reg)])
    assert f"* {worse}" in listing.output and good in listing.output


def test_suggestions_come_from_the_active_model_with_reasons(
    seeded: Engine, tmp_path: Path
) -> None:
    with Session(seeded) as session:
        tagger = build_default_tagger(session, model_dir=tmp_path / "models")
        post = tagger.suggest(None, "tolong air PDAM di Banjarmasin keruh dan bau sudah 3 hari")
        assert post.model_version.startswith("bootstrap-")
        assert post.topic == "utilities" and post.function == "water_supply"
        assert session.get(Agency, post.agency_id).name == "Perumda PTAM Bandarmasih"
        assert len(post.details["top3_topics"]) == 3
        assert post.details["topic_terms"]
        noise = tagger.suggest(None, "selamat ulang tahun semoga sukses selalu")
        assert noise.needs_review


def test_decisions_become_labels_and_negatives(seeded: Engine) -> None:
    with Session(seeded) as session:
        source = Source(kind=SourceKind.MANUAL, name="m", config={})
        session.add(source)
        session.flush()
        agency = session.scalar(select(Agency).where(Agency.code == "6371-dishub"))
        items = []
        for n, text in enumerate(["parkir liar di pasar", "promo diskon besar", "ktp habis"]):
            item = Item(source_id=source.id, external_id=str(n), text=text, content_hash=str(n))
            session.add(item)
            items.append(item)
        session.flush()
        session.add_all(
            [
                TriageDecision(
                    item_id=items[0].id,
                    state=TriageState.CONFIRMED,
                    topic="transport",
                    agency_id=agency.id,
                ),
                TriageDecision(
                    item_id=items[1].id, state=TriageState.REJECTED, reject_reason=RejectReason.SPAM
                ),
                TriageDecision(item_id=items[2].id, state=TriageState.DEFERRED),
            ]
        )
        session.flush()
        labels = decision_labels(session)
    assert labels.labelled.texts == ["parkir liar di pasar"]
    assert labels.labelled.agencies == ["fungsi:transport"]
    assert labels.negatives == ["promo diskon besar"]


def test_bootstrap_model_is_created_once(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    first = ensure_active_model(registry)
    assert ensure_active_model(registry) == first
    assert len(registry.versions()) == 1


def test_rare_classes_do_not_switch_calibration_off() -> None:
    texts = [f"jalan rusak nomor {n}" for n in range(60)] + [
        f"sampah numpuk {n}" for n in range(60)
    ]
    labels = ["pu"] * 60 + ["dlh"] * 60
    model = build_pipeline(min_df=1).fit([*texts, "pungli di kantor"], [*labels, "once"])
    assert model.named_steps["model"].temperature_ != 1.0
    assert model.predict_proba(["jalan rusak parah"]).max() > 0.8


@pytest.mark.parametrize(
    ("text", "function", "agency"),
    [
        (
            "jalan berlubang dan aspal rusak parah di Martapura mohon segera diperbaiki",
            "public_works",
            "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Banjar",
        ),
        (
            "sampah menumpuk tidak diangkut sudah seminggu di Banjarbaru baunya menyengat",
            "environment",
            "Dinas Lingkungan Hidup Kota Banjarbaru",
        ),
        (
            "KTP elektronik dan KK saya belum jadi sudah 2 bulan di Amuntai",
            "civil_registry",
            "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Hulu Sungai Utara",
        ),
    ],
)
def test_a_model_trained_elsewhere_routes_kalsel_posts_to_kalsel_skpd(
    seeded: Engine, tmp_path: Path, small_csv: Path, text: str, function: str, agency: str
) -> None:
    """Surabaya's agencies become functions; the function plus the region found in the
    post name the Kalsel SKPD (no agency is mentioned in these posts)."""
    registry = ModelRegistry(tmp_path / "models")
    data = load_training_csv(small_csv)
    version = registry.save(
        train_bundle(data), kind="trained", data_digest=data.digest(), n_rows=len(data)
    )
    registry.set_active(version)
    with Session(seeded) as session:
        tagger = build_default_tagger(session, model_dir=tmp_path / "models")
        post = tagger.suggest(None, text)
        assert post.model_version == version
        assert post.function == function, post.details["top3_functions"]
        assert session.get(Agency, post.agency_id).name == agency
        assert post.details["top3_functions"][0]["p"] > 0.3
        # The urusan comes from the function head, not from summing agency probabilities.
        head = registry.load(version).function
        assert head is not None
        proba = head.predict_proba([text])[0]
        best = np.argsort(-proba)[:3]
        assert [f["function"] for f in post.details["top3_functions"]] == [
            str(head.classes_[i]) for i in best
        ]
        assert [f["p"] for f in post.details["top3_functions"]] == pytest.approx(
            [proba[i] for i in best], abs=1e-4
        )


def test_a_function_head_only_where_agency_labels_are_agencies(
    tmp_path: Path, small_csv: Path
) -> None:
    """Agency labels that are agencies (several per urusan, and the Kelurahan/Kecamatan
    catch-all) get a head trained on the urusan of the content rows; the catch-all is no
    urusan there. Labels that are functions already (bootstrap, the learning loop's mix)
    get none. The head is saved with the shared feature step and loads back the same, and
    the evaluation scores the urusan for both kinds of bundle."""
    from classifier.labels import load_agency_map
    from classifier.mix import seed_set
    from classifier.model import shared_features
    from classifier.train import evaluate_bundle

    agency_map = load_agency_map()
    data = load_training_csv(small_csv)
    bundle = train_bundle(data)
    assert bundle.function is not None
    assert set(bundle.function.classes_) == {
        agency_map.function(a) for a in data.agencies if a and a != agency_map.office_class
    }
    assert agency_map.office_class in set(bundle.agency.classes_)
    assert train_bundle(bootstrap_training_set()).function is None
    assert train_bundle(seed_set()).function is None

    registry = ModelRegistry(tmp_path)
    loaded = registry.load(
        registry.save(bundle, kind="trained", data_digest=data.digest(), n_rows=len(data))
    )
    assert loaded.function is not None and shared_features(*loaded.heads()) is not None
    texts = data.texts[:40]
    np.testing.assert_allclose(
        loaded.function.predict_proba(texts), bundle.function.predict_proba(texts), rtol=1e-6
    )

    metrics = evaluate_bundle(bundle, data.subset(range(300)))
    content = [a for a in data.agencies[:300] if a and a != agency_map.office_class]
    assert metrics["function"]["per_class"]  # scored by the function head
    assert sum(c["support"] for c in metrics["function"]["per_class"].values()) == len(content)
    assert metrics["function"]["accuracy"] > 0.6
    seeds = seed_set()
    seeded = evaluate_bundle(train_bundle(seeds), seeds)  # scored by the agency head's vote
    assert seeded["function"]["accuracy"] > 0.9


def test_reasons_show_only_informative_terms() -> None:
    from classifier.model import explain, informative

    assert not informative("dengan") and not informative("di yang") and not informative("_num_")
    assert informative("jalan") and informative("di jalan")
    bundle = train_bundle(bootstrap_training_set())
    text = "Jalan dengan lubang besar di depan sekolah yang ada di kampung kami, mohon diperbaiki"
    terms = explain(bundle.topic, text, "infrastructure", k=8)
    assert terms, "no reason at all"
    assert all(informative(t) for t in terms), terms


def test_explain_many_gives_what_explain_gives_one_by_one() -> None:
    from classifier.bootstrap import bootstrap_training_set
    from classifier.model import build_pipeline, explain, explain_many

    data = bootstrap_training_set()
    pipeline = build_pipeline().fit(data.texts, data.topics)
    texts = [
        "jalan berlubang di depan sekolah, tolong diperbaiki dinas pupr",
        "ktp elektronik saya belum jadi sudah tiga bulan",
        "",
        "lampu lalu lintas mati di simpang empat",
    ]
    labels = ["infrastructure", "population_admin", "transport", "no-such-topic"]
    assert explain_many(pipeline, texts, labels) == [
        explain(pipeline, t, label) for t, label in zip(texts, labels, strict=True)
    ]


def test_the_three_models_share_one_feature_step_through_save_and_load(tmp_path: Path) -> None:
    """Tagging vectorises a text once for topic, agency and relevance: the trained bundle
    shares one fitted feature step, a saved and loaded one shares it again, and the shared
    path predicts exactly what each pipeline predicts on its own."""
    from classifier.model import explain, explain_many, normalize_batch, shared_features

    data = bootstrap_training_set()
    bundle = train_bundle(data)
    assert shared_features(bundle.topic, bundle.agency, bundle.relevance) is not None
    registry = ModelRegistry(tmp_path)
    version = registry.save(bundle, kind="bootstrap", data_digest=data.digest(), n_rows=1)
    loaded = registry.load(version)
    features = shared_features(loaded.topic, loaded.agency, loaded.relevance)
    assert features is not None, "loading must make the three copies one object again"
    texts = [
        "jalan berlubang di depan sekolah, tolong diperbaiki dinas pupr",
        "ktp elektronik saya belum jadi sudah tiga bulan",
        "Barito Putera menang dua gol tanpa balas di kandang",
        "",
    ]
    matrix = features.transform(normalize_batch(texts))
    for part in (loaded.topic, loaded.agency, loaded.relevance):
        assert part is not None
        np.testing.assert_allclose(
            part.named_steps["model"].predict_proba(matrix), part.predict_proba(texts), rtol=1e-6
        )
    labels = list(loaded.topic.predict(texts))
    shared = explain_many(
        loaded.topic, texts, labels, normalized=normalize_batch(texts), matrix=matrix
    )
    assert shared == [
        explain(loaded.topic, t, label) for t, label in zip(texts, labels, strict=True)
    ]
    vocabulary = word_vocabulary(features)
    assert all(term in vocabulary for terms in shared for term in terms), "reasons are words"


def word_vocabulary(features: object) -> set[str]:
    from classifier.model import word_block

    words, _ = word_block(features)
    return set(words.vocabulary_)
