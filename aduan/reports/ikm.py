"""The community satisfaction index (IKM) of the SKM survey, per PermenPAN-RB 14/2017 (pure).

Peraturan Menteri PANRB Nomor 14 Tahun 2017 tentang Pedoman Penyusunan Survei Kepuasan
Masyarakat Unit Penyelenggara Pelayanan Publik, Lampiran, as read in public copies of it:

- nine elements (unsur), each answered on a 1-4 scale (1 tidak sesuai … 4 sangat sesuai);
- every element weighs the same: "bobot nilai rata-rata tertimbang = jumlah bobot / jumlah
  unsur = 1/9 = 0,111" (e.g. the BPS metadata of Kab. Penajam Paser Utara: "rata-rata masing-
  masing unsur … dikalikan 0.111 … jumlah semua unsur dan dikali 25",
  https://data.penajamkab.go.id/metadata/indikator/57);
- IKM = Σ (NRR per unsur × penimbang), NRR = the element's mean score (nilai rata-rata);
- converted to 25-100 for reading: "IKM unit pelayanan × 25" (nilai dasar 25);
- the table "nilai persepsi, nilai interval, nilai interval konversi, mutu pelayanan, kinerja
  unit pelayanan" (quoted e.g. in BPPP Tegal's Buku Kinerja 2024 and e-smile.tubaba.go.id):

      1  1,00-2,5996   25,00-64,99   D  Tidak baik
      2  2,60-3,064    65,00-76,60   C  Kurang baik
      3  3,0644-3,532  76,61-88,30   B  Baik
      4  3,5324-4,00   88,31-100,00  A  Sangat baik

We weigh by exactly 1/9 (not the rounded 0,111, which caps the index at 99,9) and read the
category off the converted value by its lower bounds (65,00, 76,61, 88,31), so a value that
falls in a rounding gap of the table (76,605) takes the lower category.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from aduan.workflow.errors import InputError, Wording
from aduan.workflow.states import N_

# (key, Bahasa Indonesia, English), in the regulation's order U1..U9.
ELEMENTS: tuple[tuple[str, str, str], ...] = (
    ("u1", "Persyaratan", "Requirements"),
    ("u2", "Sistem, mekanisme, dan prosedur", "System, mechanism and procedure"),
    ("u3", "Waktu penyelesaian", "Completion time"),
    ("u4", "Biaya/tarif", "Cost/tariff"),
    ("u5", "Produk spesifikasi jenis pelayanan", "Service product"),
    ("u6", "Kompetensi pelaksana", "Staff competence"),
    ("u7", "Perilaku pelaksana", "Staff behaviour"),
    ("u8", "Penanganan pengaduan, saran dan masukan", "Handling of complaints and suggestions"),
    ("u9", "Sarana dan prasarana", "Facilities"),
)
WEIGHT = Fraction(1, len(ELEMENTS))  # "jumlah bobot / jumlah unsur" = 1/9
BASE = 25  # "nilai dasar": the index × 25 lies in 25..100
# Lower bounds of the converted value, best first: (bound, grade, Indonesian, English).
CATEGORIES: tuple[tuple[float, str, str, str], ...] = (
    (88.31, "A", "Sangat baik", "Very good"),
    (76.61, "B", "Baik", "Good"),
    (65.00, "C", "Kurang baik", "Poor"),
    (25.00, "D", "Tidak baik", "Bad"),
)


@dataclass(frozen=True, slots=True)
class Category:
    """Mutu pelayanan (A-D) and kinerja unit pelayanan."""

    grade: str
    label_id: str
    label_en: str


@dataclass(frozen=True, slots=True)
class ElementScore:
    """One element: its mean score (NRR, 1-4), converted (×25) and category."""

    key: str
    label_id: str
    label_en: str
    mean: float
    converted: float
    category: Category


@dataclass(frozen=True, slots=True)
class Ikm:
    """The index of one survey period."""

    respondents: int
    elements: tuple[ElementScore, ...]
    index: float | None  # 1..4, None without respondents
    converted: float | None  # 25..100
    category: Category | None


def category(converted: float) -> Category:
    """The quality category of a converted (25-100) value."""
    for bound, grade, label_id, label_en in CATEGORIES:
        if converted >= bound:
            return Category(grade, label_id, label_en)
    return Category(*CATEGORIES[-1][1:])


def check_scores(scores: Sequence[int]) -> None:
    """Nine whole scores of 1..4, or an input error naming the element."""
    if len(scores) != len(ELEMENTS):
        raise InputError(
            "scores",
            "nine_elements",
            N_("harus 9 nilai (U1-U9), bukan %(count)s"),
            count=len(scores),
        )
    for (key, label_id, label_en), score in zip(ELEMENTS, scores, strict=True):
        if not isinstance(score, int) or not 1 <= score <= 4:
            raise InputError(
                key,
                "score_1_4",
                N_("%(element)s: nilai 1-4, bukan %(score)r"),
                element=Wording({"id": label_id, "en": label_en}),
                score=score,
            )


def compute_ikm(respondents: int, sums: Sequence[int]) -> Ikm:
    """The IKM from the number of respondents and the sum of scores per element (U1..U9)."""
    if len(sums) != len(ELEMENTS):
        raise ValueError(f"{len(ELEMENTS)} sums expected, got {len(sums)}")
    if respondents == 0:
        return Ikm(0, (), None, None, None)
    means = [Fraction(s, respondents) for s in sums]  # NRR per unsur
    index = sum((m * WEIGHT for m in means), Fraction(0))  # Σ NRR × 1/9
    elements = tuple(
        ElementScore(key, label_id, label_en, float(m), float(m * BASE), category(float(m * BASE)))
        for (key, label_id, label_en), m in zip(ELEMENTS, means, strict=True)
    )
    converted = float(index * BASE)
    return Ikm(respondents, elements, float(index), converted, category(converted))
