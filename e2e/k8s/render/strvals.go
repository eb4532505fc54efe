// Helm 3's --set / --set-string parsing for tether-chart-render (see main.go), written after
// helm.sh/helm/v3/pkg/strvals. Not supported: --set-json, --set-file, --set-literal.
package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// setParser reads Helm 3's --set / --set-string syntax (helm.sh/helm/v3/pkg/strvals), rune by rune:
//
//	a.b=v,c=v2   a dot nests maps, a comma separates assignments
//	a={x,y}      a list (each item typed like a value; a following comma is optional)
//	a[0]=v       list index, nestable: a[0][1]=v, a[0].b=v (missing items become null)
//	\x           a backslash takes the next character literally, in keys and values
//
// Values are typed as in Helm 3 (typedVal): true/false/null in any case, and integers as int64
// unless they start with 0 (other than "0" itself); everything else, "0.5" too, is a string.
// --set-string keeps every value a string. Setting a path through a value of another type fails,
// as in Helm ("unable to parse key: interface conversion: ...").
type setParser struct {
	in       []rune
	pos      int
	asString bool
}

const maxSetIndex, maxSetDepth = 65536, 30 // Helm 3's strvals.MaxIndex and MaxNestedNameLevel

func parseSet(s string, into map[string]interface{}, asString bool) error {
	p := &setParser{in: []rune(s), asString: asString}
	for {
		if err := p.key(into, 0); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// until reads up to the first unescaped rune of stop, which it consumes and returns; io.EOF at the end.
func (p *setParser) until(stop string) (string, rune, error) {
	var out []rune
	for p.pos < len(p.in) {
		r := p.in[p.pos]
		p.pos++
		if strings.ContainsRune(stop, r) {
			return string(out), r, nil
		}
		if r == '\\' {
			if p.pos == len(p.in) {
				break
			}
			r = p.in[p.pos]
			p.pos++
		}
		out = append(out, r)
	}
	return string(out), 0, io.EOF
}

// key reads one assignment (or the rest of one, below a dot) into data.
func (p *setParser) key(data map[string]interface{}, depth int) (err error) {
	defer func() {
		if r := recover(); r != nil { // a type assertion below met a value of another type
			err = fmt.Errorf("unable to parse key: %s", r)
		}
	}()
	k, last, err := p.until("=[,.")
	switch {
	case err != nil && k == "":
		return err
	case err != nil:
		return fmt.Errorf("key %q has no value", k)
	case last == ',':
		setKeyValue(data, k, "")
		return fmt.Errorf("key %q has no value (cannot end with ,)", k)
	case last == '=':
		v, err := p.value()
		if err == nil || errors.Is(err, io.EOF) {
			setKeyValue(data, k, v)
		}
		return err
	case last == '[':
		i, err := p.index()
		if err != nil {
			return fmt.Errorf("error parsing index: %v", err)
		}
		list := []interface{}{}
		if v, ok := data[k]; ok {
			list = v.([]interface{})
		}
		list, err = p.listItem(list, i, depth)
		setKeyValue(data, k, list)
		return err
	}
	if depth++; depth > maxSetDepth { // last == '.'
		return fmt.Errorf("value name nested level is greater than maximum supported nested level of %d", maxSetDepth)
	}
	inner := map[string]interface{}{}
	if v, ok := data[k]; ok {
		inner = v.(map[string]interface{})
	}
	err = p.key(inner, depth)
	if err == nil && len(inner) == 0 {
		return fmt.Errorf("key map %q has no value", k)
	}
	if len(inner) != 0 {
		setKeyValue(data, k, inner)
	}
	return err
}

func setKeyValue(data map[string]interface{}, k string, v interface{}) {
	if k != "" { // as Helm: an empty key is dropped
		data[k] = v
	}
}

// value reads what follows '=': a {list}, or a scalar up to the next unescaped comma. Nothing at all
// is "" with io.EOF.
func (p *setParser) value() (interface{}, error) {
	if p.pos == len(p.in) {
		return "", io.EOF
	}
	if p.in[p.pos] != '{' {
		s, _, _ := p.until(",")
		return p.typed(s), nil
	}
	p.pos++
	list := []interface{}{}
	for {
		s, last, err := p.until(",}")
		if err != nil {
			return nil, errors.New("list must terminate with '}'")
		}
		list = append(list, p.typed(s))
		if last == '}' {
			if p.pos < len(p.in) && p.in[p.pos] == ',' {
				p.pos++
			}
			return list, nil
		}
	}
}

func (p *setParser) index() (int, error) {
	s, _, err := p.until("]")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(s)
}

// listItem reads what follows "[i]" and sets item i of list.
func (p *setParser) listItem(list []interface{}, i, depth int) ([]interface{}, error) {
	if i < 0 {
		return list, fmt.Errorf("negative %d index not allowed", i)
	}
	k, last, err := p.until("[.=")
	switch {
	case k != "":
		return list, fmt.Errorf("unexpected data at end of array index: %q", k)
	case err != nil:
		return list, err
	case last == '=':
		v, err := p.value()
		if err != nil && !errors.Is(err, io.EOF) {
			return list, err
		}
		return setListItem(list, i, v)
	case last == '[':
		j, err := p.index()
		if err != nil {
			return list, fmt.Errorf("error parsing index: %v", err)
		}
		var inner []interface{}
		if i < len(list) && list[i] != nil {
			inner = list[i].([]interface{})
		}
		if inner, err = p.listItem(inner, j, depth); err != nil {
			return list, err
		}
		return setListItem(list, i, inner)
	}
	inner := map[string]interface{}{} // last == '.'
	if i < len(list) {
		if m, ok := list[i].(map[string]interface{}); ok {
			inner = m
		}
	}
	if err := p.key(inner, depth); err != nil {
		return list, err
	}
	return setListItem(list, i, inner)
}

func setListItem(list []interface{}, i int, v interface{}) ([]interface{}, error) {
	if i > maxSetIndex {
		return list, fmt.Errorf("index of %d is greater than maximum supported index of %d", i, maxSetIndex)
	}
	for len(list) <= i {
		list = append(list, nil)
	}
	list[i] = v
	return list, nil
}

// typed: Helm 3's typedVal.
func (p *setParser) typed(s string) interface{} {
	switch {
	case p.asString:
		return s
	case strings.EqualFold(s, "true"):
		return true
	case strings.EqualFold(s, "false"):
		return false
	case strings.EqualFold(s, "null"):
		return nil
	case s == "0":
		return int64(0)
	case s != "" && s[0] != '0':
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	}
	return s
}
