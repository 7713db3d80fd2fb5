"""The learning loop's training mix: seed examples always, a history mapped to functions,
admins' decisions weighted higher — and a retrain on decisions alone keeps what the
seed examples taught."""

from __future__ import annotations

from classifier.bootstrap import bootstrap_training_set
from classifier.mix import DECISION_WEIGHT, as_functions, seed_set, training_mix
from classifier.train import TrainingSet, train_bundle


def test_history_agencies_become_functions_and_the_office_catch_all_none() -> None:
    history = TrainingSet(
        texts=["lampu merah mati", "jalan rusak", "surat domisili lama", "x"],
        topics=["transport", "infrastructure", "population_admin", "other"],
        agencies=["Dinas Perhubungan", "Kelurahan/Kecamatan", "Kelurahan Ketintang", None],
        dates=["2022-01-01"] * 4,
    )
    out = as_functions(history)
    assert out.agencies[0] == "fungsi:transport"
    assert out.agencies[1:] == [None, None, None]
    assert out.topics == history.topics  # topics stay


def test_mix_weights_decisions_and_keeps_the_seeds() -> None:
    decisions = TrainingSet(
        texts=["klotok tenggelam di sungai martapura"], topics=["transport"],
        agencies=["fungsi:transport"], dates=["2026-12-01T00:00:00"],
    )  # fmt: skip
    mix = training_mix(decisions)
    seeds = len(bootstrap_training_set())
    assert len(mix) == seeds + 1
    assert mix.weights == [1.0] * seeds + [DECISION_WEIGHT]
    assert all(a is None or a.startswith("fungsi:") for a in mix.agencies)


def test_a_retrain_on_few_decisions_does_not_forget_the_seed_examples() -> None:
    decisions = TrainingSet(
        texts=[f"lampu jalan mati di gang {n} Banjarbaru, gelap sekali" for n in range(25)],
        topics=["transport"] * 25,
        agencies=["fungsi:transport"] * 25,
        dates=["2026-12-01T00:00:00"] * 25,
    )
    bundle = train_bundle(training_mix(decisions))
    topics = bundle.topic.predict(
        [
            "KTP elektronik saya belum jadi sudah dua bulan di Disdukcapil",
            "sampah menumpuk di pasar tidak diangkut",
            "lampu jalan mati di gang Banjarbaru",
        ]
    )
    seeds = seed_set()
    assert topics[0] == seeds.topics[seeds.texts.index(next(t for t in seeds.texts if "KTP" in t))]
    assert topics[2] == "transport"
    assert len(set(topics)) == 3  # a decisions-only model would call everything transport
