// StreamVault patch for FerretDB v1.24.2: scripts/lib/ferretdb.mjs copies this file into
// internal/backends/sqlite/ and points the backend's Query and Explain at it before building.
//
// Upstream pushes `_id` down only when the filter is exactly `{_id: <string | ObjectId>}`, and writes
// the condition as `_ferretdb_sjson->'$._id' = ?` while the collection's unique `_id_` index is on
// `_ferretdb_sjson->"_id"`. SQLite matches index expressions by their syntax, so that WHERE clause
// still reads (and JSON-parses) every row. This file builds the clause so it names the indexed
// expression (metadata.IDColumn is patched to `->'_id'`), and pushes down `_id: v`, `_id: {$eq: v}`
// and `_id: {$in: [v, ...]}` whatever other conditions sit beside them: every caller filters the
// returned documents by the whole filter again in memory, so narrowing by `_id` alone never loses a
// match, and no caller pushes a LIMIT together with a filter.

package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// maxIDsInPushdown keeps an `$in` list under SQLite's bound-parameter limit.
const maxIDsInPushdown = 10000

// idPushdownValue returns the value as the index stores it, when `_id` equality on it can be answered
// from the index: strings and ObjectIds compare by their exact encoding (numbers do not: 1, 1.0 and
// 1L are equal in MongoDB but encoded differently).
func idPushdownValue(v any) (string, bool) {
	switch v.(type) {
	case string, types.ObjectID:
		return string(must.NotFail(sjson.MarshalSingleValue(v))), true
	default:
		return "", false
	}
}

// prepareIDWhereClause returns ` WHERE <_id index expression> ...` and its arguments when the filter
// constrains `_id` to one or a list of string / ObjectId values, and ("", nil) otherwise.
func prepareIDWhereClause(filter *types.Document) (string, []any) {
	if filter == nil {
		return "", nil
	}

	v, err := filter.Get("_id")
	if err != nil {
		return "", nil
	}

	if op, ok := v.(*types.Document); ok {
		if op.Len() != 1 {
			return "", nil
		}

		switch op.Keys()[0] {
		case "$eq":
			v = must.NotFail(op.Get("$eq"))
		case "$in":
			return prepareIDInClause(must.NotFail(op.Get("$in")))
		default:
			return "", nil
		}
	}

	arg, ok := idPushdownValue(v)
	if !ok {
		return "", nil
	}

	return fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn), []any{arg}
}

// prepareIDInClause handles `_id: {$in: list}`: every element must be pushable, or nothing is pushed.
func prepareIDInClause(list any) (string, []any) {
	arr, ok := list.(*types.Array)
	if !ok || arr.Len() == 0 || arr.Len() > maxIDsInPushdown {
		return "", nil
	}

	args := make([]any, arr.Len())
	placeholders := make([]string, arr.Len())

	for i := 0; i < arr.Len(); i++ {
		arg, ok := idPushdownValue(must.NotFail(arr.Get(i)))
		if !ok {
			return "", nil
		}

		args[i] = arg
		placeholders[i] = "?"
	}

	return fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, strings.Join(placeholders, ", ")), args
}
