package lang

import "reflect"

var posType = reflect.TypeOf(Pos{})

// Equal reports whether a and b are the same tree, ignoring positions. Builder wrappers
// (Operand, Cond) compare as the Expr they hold.
func Equal(a, b Node) bool {
	return equalValue(reflect.ValueOf(unwrap(a)), reflect.ValueOf(unwrap(b)))
}

func unwrap(n Node) Node {
	switch v := n.(type) {
	case Operand:
		return v.Expr
	case Cond:
		return v.Expr
	}
	return n
}

func equalValue(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		if a.Kind() == reflect.Interface {
			a, b = reflect.ValueOf(unwrapValue(a.Elem())), reflect.ValueOf(unwrapValue(b.Elem()))
			return equalValue(a, b)
		}
		return equalValue(a.Elem(), b.Elem())
	case reflect.Struct:
		if a.Type() == posType {
			return true
		}
		for i := 0; i < a.NumField(); i++ {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if !equalValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !equalValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Float64:
		return a.Float() == b.Float()
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func unwrapValue(v reflect.Value) any {
	x := v.Interface()
	if n, ok := x.(Node); ok {
		return unwrap(n)
	}
	return x
}
