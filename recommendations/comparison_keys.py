"""A recommendation's comparison key, the form of its text that recurring recommendations are compared in
(recommendations/recurrence.py): lower case, punctuation and the commonest words dropped, each word cut to its first
STEM_LENGTH letters (so that "assess", "assessed" and "assessment" meet), duplicates dropped and the words sorted (so
that word order does not count).

Apart from recurrence.py because the model keeps each text's key in a column (Recommendation.comparison_key), and
recurrence.py reads the model: a process starting cold reads the 100,000 keys instead of working them out again.
Changing how a key is made therefore needs a data migration that works every stored key out again
(recommendations/migrations/0007_recommendation_comparison_key.py shows how).
"""

from rapidfuzz import utils

STEM_LENGTH = 5
# Words every recommendation uses: they make unrelated recommendations look alike.
COMMON_WORDS = frozenset(
    {"a", "all", "an", "and", "any", "are", "as", "at", "be", "by", "every", "for", "from", "in", "into", "is", "it",
     "its", "make", "of", "on", "or", "so", "sure", "ensure", "that", "the", "their", "them", "there", "these",
     "they", "this", "those", "to", "was", "were", "while", "with"}
)  # fmt: skip


def comparison_key(text: str) -> str:
    """'Reduce vetting delays…' → 'addre delay imple insta proce recru reduc strea vetti workf'."""
    words = utils.default_process(text).split()
    return " ".join(sorted({word[:STEM_LENGTH] for word in words if word not in COMMON_WORDS}))
