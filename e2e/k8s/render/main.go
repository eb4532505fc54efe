// tether-chart-render: a test-only stand-in for `helm template`, for machines without Helm.
//
// It follows Helm 3's documented template semantics, with the libraries Helm itself uses
// (text/template, sprig, ghodss/yaml, gojsonschema):
//   - .Values: each -f file merged over the previous one (a null kept, as Helm 3's mergeMaps), then
//     each --set, then each --set-string, parsed as Helm 3's strvals (strvals.go: a.b=v, {x,y} lists,
//     a[0].b=v, backslash escapes, case-insensitive true/false/null, integers as int64, other
//     numbers strings); the result coalesced over values.yaml as Helm 3's CoalesceValues (maps
//     merged; a user null deletes a key that has a default and stays null where there is none;
//     nulls in values.yaml stay null). Numbers from YAML files are float64, as in Helm.
//     Not supported: --set-json, --set-file, --set-literal.
//   - .Release (Name, Namespace, Service "Helm", IsInstall, IsUpgrade, Revision), .Chart (Chart.yaml,
//     keys capitalised as Helm's chart.Metadata), .Capabilities (KubeVersion), .Template (Name,
//     BasePath), .Files (Get, non-template files of the chart).
//   - functions: sprig's (without env/expandenv, as Helm), toYaml, fromYaml, toJson, fromJson,
//     include, tpl, required, fail, lookup (always empty, as `helm template`).
//   - values.schema.json validation, with Helm's error text.
//   - output: every rendered manifest as "---\n# Source: CHART/templates/FILE\n...", sorted in
//     Helm's install order; files starting with "_" and NOTES.txt are not manifests
//     (--notes prints the rendered NOTES.txt instead).
//
// Usage: tether-chart-render [flags] RELEASE CHART_DIR
//   -f FILE (repeatable) --set k=v (repeatable) --set-string k=v --namespace NS --notes
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
	"github.com/xeipuuv/gojsonschema"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "Error: "+format+"\n", a...)
	os.Exit(1)
}

func main() {
	var files, sets, setStrings multi
	namespace := "default"
	notes := false
	var positional []string
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			if i+1 >= len(args) {
				die("flag needs an argument: %s", a)
			}
			i++
			return args[i]
		}
		switch {
		case a == "-f" || a == "--values":
			files.Set(next())
		case a == "--set":
			sets.Set(next())
		case a == "--set-string":
			setStrings.Set(next())
		case a == "-n" || a == "--namespace":
			namespace = next()
		case a == "--notes":
			notes = true
		case strings.HasPrefix(a, "-"):
			die("unknown flag: %s", a)
		default:
			positional = append(positional, a)
		}
	}
	if len(positional) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tether-chart-render [-f FILE]... [--set K=V]... [--set-string K=V]... [--namespace NS] [--notes] RELEASE CHART_DIR")
		os.Exit(2)
	}
	release, chartDir := positional[0], positional[1]

	chartMeta := map[string]interface{}{}
	readYAML(filepath.Join(chartDir, "Chart.yaml"), &chartMeta)
	chartName, _ := chartMeta["name"].(string)
	if chartName == "" {
		die("validation: chart.metadata.name is required")
	}

	defaults := map[string]interface{}{}
	readYAML(filepath.Join(chartDir, "values.yaml"), &defaults)

	// User-supplied values: -f files merged in order, then --set, then --set-string (Helm's order).
	user := map[string]interface{}{}
	for _, f := range files {
		m := map[string]interface{}{}
		readYAML(f, &m)
		user = mergeMaps(user, m)
	}
	for _, s := range sets {
		if err := parseSet(s, user, false); err != nil {
			die("failed parsing --set data: %s", err)
		}
	}
	for _, s := range setStrings {
		if err := parseSet(s, user, true); err != nil {
			die("failed parsing --set-string data: %s", err)
		}
	}
	values := coalesce(user, defaults)

	if schema, err := ioutil.ReadFile(filepath.Join(chartDir, "values.schema.json")); err == nil {
		if err := validateSchema(chartName, values, schema); err != nil {
			die("%s", err)
		}
	}

	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": release, "Namespace": namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart":        capitalise(chartMeta),
		"Capabilities": map[string]interface{}{"KubeVersion": map[string]interface{}{"Version": "v1.31.0", "Major": "1", "Minor": "31", "GitVersion": "v1.31.0"}},
		"Files":        loadFiles(chartDir),
	}

	rendered, err := render(chartName, chartDir, top)
	if err != nil {
		die("%s", err)
	}
	if notes {
		fmt.Print(rendered[chartName+"/templates/NOTES.txt"])
		return
	}
	out, err := manifests(rendered)
	if err != nil {
		die("%s", err)
	}
	fmt.Print(out)
}

func readYAML(file string, out *map[string]interface{}) {
	data, err := ioutil.ReadFile(file)
	if err != nil {
		die("%s", err)
	}
	if err := yaml.Unmarshal(data, out); err != nil {
		die("failed to parse %s: %s", file, err)
	}
	if *out == nil {
		*out = map[string]interface{}{}
	}
}

// mergeMaps: b over a, recursively for maps (Helm's mergeMaps for -f files).
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bv, ok := v.(map[string]interface{}); ok {
			if av, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(av, bv)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesce: Helm 3's CoalesceValues for a chart without dependencies (pkg/chartutil/coalesce.go).
// User values win; where both sides hold a map, they are merged key by key. A user null deletes the
// key only where the chart's values.yaml has that key (that is how a default is removed); a user null
// for a key without a default stays null, so values.schema.json sees it (e.g. "Additional property x
// is not allowed"). A null in values.yaml that the user did not override stays null, as in Helm 3.
// (Helm's warnings when a map meets a non-map are not printed; the user's value wins either way.)
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(user)+len(defaults))
	for k, v := range user {
		out[k] = v
	}
	for k, dv := range defaults {
		uv, given := out[k]
		um, userMap := uv.(map[string]interface{})
		dm, defaultMap := dv.(map[string]interface{})
		switch {
		case !given:
			out[k] = dv
		case uv == nil:
			delete(out, k)
		case userMap && defaultMap:
			out[k] = coalesce(um, dm)
		}
	}
	return out
}

// validateSchema: Helm's ValidateAgainstSchema (gojsonschema), with its error text.
func validateSchema(chart string, values map[string]interface{}, schema []byte) error {
	doc, err := json.Marshal(values)
	if err != nil {
		return err
	}
	res, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewBytesLoader(doc))
	if err != nil {
		return fmt.Errorf("values.schema.json: %s", err)
	}
	if res.Valid() {
		return nil
	}
	var sb strings.Builder
	sb.WriteString("values don't meet the specifications of the schema(s) in the following chart(s):\n")
	sb.WriteString(chart + ":\n")
	for _, e := range res.Errors() {
		sb.WriteString(fmt.Sprintf("- %s\n", e))
	}
	return fmt.Errorf("%s", strings.TrimSuffix(sb.String(), "\n"))
}

func capitalise(meta map[string]interface{}) map[string]interface{} {
	special := map[string]string{"apiVersion": "APIVersion", "appVersion": "AppVersion", "kubeVersion": "KubeVersion"}
	out := map[string]interface{}{}
	for k, v := range meta {
		name, ok := special[k]
		if !ok {
			name = strings.ToUpper(k[:1]) + k[1:]
		}
		out[name] = v
	}
	return out
}

// Files: the chart's files outside templates/, with Get and GetBytes as in Helm.
type Files map[string][]byte

func (f Files) Get(name string) string      { return string(f[name]) }
func (f Files) GetBytes(name string) []byte { return f[name] }

func loadFiles(dir string) Files {
	files := Files{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "templates/") || rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json" {
			return nil
		}
		data, _ := ioutil.ReadFile(p)
		files[rel] = data
		return nil
	})
	return files
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func render(chart, dir string, top map[string]interface{}) (map[string]string, error) {
	var names []string
	sources := map[string]string{}
	err := filepath.Walk(filepath.Join(dir, "templates"), func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		name := path.Join(chart, filepath.ToSlash(rel))
		data, err := ioutil.ReadFile(p)
		if err != nil {
			return err
		}
		names = append(names, name)
		sources[name] = string(data)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Helm's engine order (sortTemplates): deepest paths first, then reverse lexical order; the
	// first template that fails is the one reported.
	sort.Slice(names, func(i, j int) bool {
		ci, cj := strings.Count(names[i], "/"), strings.Count(names[j], "/")
		if ci != cj {
			return ci > cj
		}
		return names[i] > names[j]
	})

	t := template.New("gotpl")
	t.Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	includedNames := map[string]int{}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, fmt.Errorf("%s", msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, fmt.Errorf("%s", msg)
		}
		return v, nil
	}
	funcs["fail"] = func(msg string) (string, error) { return "", fmt.Errorf("%s", msg) }
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if includedNames[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		includedNames[name]++
		defer func() { includedNames[name]-- }()
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		// Helm gives tpl's text the calling template's name and the same functions.
		tt, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %s", text, err)
		}
		var buf bytes.Buffer
		if err := tt.Execute(&buf, data); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %s", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	t.Funcs(funcs)
	for _, name := range names {
		if _, err := t.New(name).Parse(sources[name]); err != nil {
			return nil, fmt.Errorf("parse error at (%s): %s", name, cleanParseError(err))
		}
	}

	out := map[string]string{}
	for _, name := range names {
		if strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": name, "BasePath": path.Join(chart, "templates")}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, data); err != nil {
			return nil, cleanExecError(name, err)
		}
		out[name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return out, nil
}

func cleanParseError(err error) string {
	s := err.Error()
	if i := strings.Index(s, ": "); i >= 0 && strings.HasPrefix(s, "template: ") {
		return strings.TrimPrefix(s, "template: ")
	}
	return s
}

var execMsg = regexp.MustCompile(`(?s)^.*error calling \w+: (.*)$`)

// cleanExecError: Helm's "execution error at (FILE:LINE:COL): message".
func cleanExecError(name string, err error) error {
	if _, ok := err.(template.ExecError); !ok {
		return err
	}
	tokens := strings.SplitN(err.Error(), ": ", 3)
	if len(tokens) != 3 {
		return fmt.Errorf("execution error at (%s): %s", name, err)
	}
	if m := execMsg.FindStringSubmatch(tokens[2]); m != nil {
		return fmt.Errorf("execution error at (%s): %s", tokens[1], m[1])
	}
	return fmt.Errorf("template: %s: %s", tokens[1], tokens[2])
}

// Helm's install order (releaseutil.InstallOrder).
var installOrder = []string{"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
	"PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
	"ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
	"RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService"}

var docSep = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

type manifest struct {
	source, content, kind string
	order              int
}

func manifests(rendered map[string]string) (string, error) {
	rank := map[string]int{}
	for i, k := range installOrder {
		rank[k] = i
	}
	var all []manifest
	var names []string
	for name := range rendered {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if path.Base(name) == "NOTES.txt" {
			continue
		}
		for _, doc := range docSep.Split(rendered[name], -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var head struct {
				Kind string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return "", fmt.Errorf("YAML parse error on %s: %s", name, err)
			}
			r, ok := rank[head.Kind]
			if !ok {
				r = len(installOrder)
			}
			all = append(all, manifest{name, strings.TrimSpace(doc), head.Kind, r})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].order < all[j].order })
	var sb strings.Builder
	for _, m := range all {
		fmt.Fprintf(&sb, "---\n# Source: %s\n%s\n", m.source, m.content)
	}
	return sb.String(), nil
}

