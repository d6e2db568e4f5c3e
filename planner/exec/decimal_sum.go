package exec

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// decimalSum adds numbers as exact decimals while it can: the values of a
// REDCap project are decimal text (974.3, not the binary fraction nearest to
// it), so their sum is the exact sum of those decimals, with no binary noise
// (0.1 + 0.2 is 0.3, not 0.30000000000000004). Each value is scaled by 10^scale
// (scale: the most decimal places met, at most maxSumScale) to an integer;
// while every scaled value and the running total stay below 2^53 the total
// is exact. Past that (very large or very precise values) the sum falls back
// to float64 addition, compensated (Neumaier) to keep the error small.
type decimalSum struct {
	scaled  int64 // the exact total × 10^scale, while exact
	scale   int
	inexact bool
	f, c    float64 // float sum and its compensation
}

const (
	maxSumScale = 9
	exactLimit  = 1 << 53
)

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// add adds x.
func (s *decimalSum) add(x float64) {
	t := s.f + x // Neumaier's compensated sum
	if math.Abs(s.f) >= math.Abs(x) {
		s.c += (s.f - t) + x
	} else {
		s.c += (x - t) + s.f
	}
	s.f = t
	if s.inexact {
		return
	}
	d := decimals(x)
	if d < 0 || d > maxSumScale {
		s.inexact = true
		return
	}
	for s.scale < d {
		if s.scaled > exactLimit/10 || s.scaled < -exactLimit/10 {
			s.inexact = true
			return
		}
		s.scaled *= 10
		s.scale++
	}
	n := math.Round(x * pow10[s.scale])
	if math.Abs(n) >= exactLimit {
		s.inexact = true
		return
	}
	s.scaled += int64(n)
	if s.scaled >= exactLimit || s.scaled <= -exactLimit {
		s.inexact = true
	}
}

// sum returns the total.
func (s *decimalSum) sum() float64 {
	if s.inexact {
		return s.f + s.c
	}
	return float64(s.scaled) / pow10[s.scale] // one correctly rounded division
}

// mean returns the total divided by n, correctly rounded when exact.
func (s *decimalSum) mean(n int64) float64 {
	if s.inexact {
		return (s.f + s.c) / float64(n)
	}
	den := new(big.Int).Mul(big.NewInt(n), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s.scale)), nil))
	f, _ := new(big.Rat).SetFrac(big.NewInt(s.scaled), den).Float64()
	return f
}

// decimals returns the decimal places of x's shortest decimal form (the text
// it was most likely read from), or -1 when x is not finite.
func decimals(x float64) int {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return -1
	}
	if x == math.Trunc(x) {
		return 0 // the common case, without formatting
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}
