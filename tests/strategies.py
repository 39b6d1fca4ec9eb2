"""Hypothesis strategies for mixed Chinese text."""

from __future__ import annotations

from hypothesis import strategies as st

COMMON_HAN = "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感北京清华大学来网易杭研厦硕士毕业科院计算所日本都深造"
RARE_CJK = "\u3400\u4db5\u9fd6\u9fff\uf900\U00020000\U0002a6d6\u3007\u2e80"
ASCII = "abcxyzABCXYZ0123456789+#&._%-"
FULLWIDTH = "ＡＢＣａｂｃ０１２３４５６７８９％＃＆．"
PUNCT = "，。！？、；：“”‘’（）《》【】…—·!?,;:\"'()[]{}<>/\\|@$^*=~`"
SPACES = [
    " ",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "\u3000",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x85",
    "\u00a0",
    "\u2028",
]
EMOJI = "😀🎉👍🏻🇨🇳\u200d❤️"
ODD = ["\x00", "\ud800", "\udfff", "\ufffd", "\ufeff", "\u0301"]

piece = st.one_of(
    st.text(alphabet=COMMON_HAN, min_size=1, max_size=8),
    st.text(alphabet=ASCII, min_size=1, max_size=6),
    st.sampled_from(list(FULLWIDTH)),
    st.sampled_from(list(PUNCT)),
    st.sampled_from(SPACES),
    st.sampled_from(list(EMOJI)),
    st.sampled_from(list(RARE_CJK)),
    st.sampled_from(ODD),
)

#: Text mixing Han, ASCII, full-width, punctuation, whitespace, emoji and rare CJK.
mixed_text = st.lists(piece, max_size=25).map("".join)

#: Any str at all, including lone surrogates and NUL.
any_text = st.one_of(mixed_text, st.text(max_size=60))
