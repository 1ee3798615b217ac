"""How the reference generators print a computed value: 40 significant digits (shared by gen_*.py)."""
import mpmath as mp


def fmt(x):
    """A computed value with 40 significant digits ('0', 'inf' and '-inf' for the exact ones)."""
    if mp.isinf(x):
        return 'inf' if x > 0 else '-inf'
    if x == 0:
        return '0'
    text = mp.nstr(x, 40, min_fixed=-5, max_fixed=5, strip_zeros=False)
    digits = text.lstrip('-').lower().split('e')[0].replace('.', '').lstrip('0')
    assert len(digits) >= 40, text
    return text
