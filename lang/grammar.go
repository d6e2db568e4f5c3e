package lang

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The participle grammar. These structs are internal: parse.go converts them into the
// exported AST. One gEntry is parsed per statement; parse.go splits the input at ';'.

type gEntry struct {
	Param     *gParamDecl `parser:"  @@"`
	Summarize *gSummarize `parser:"| @@"`
	Select    *gSelect    `parser:"| @@"`
}

// gSummarize is "summarize select ..." or the short form "summarize records [where ...]".
type gSummarize struct {
	Pos    lexer.Position
	Select *gSelect `parser:"'summarize' ( @@"`
	From   *gSource `parser:"  | @@"`
	Where  *gExpr   `parser:"    ( 'where' @@ )? )"`
}

type gParamDecl struct {
	Pos     lexer.Position
	Name    string    `parser:"'param' @Param"`
	Default *gDefault `parser:"( '=' @@ )?"`
	Comment *string   `parser:"( 'comment' @String )?"`
}

type gSelect struct {
	Pos      lexer.Position
	Explain  bool      `parser:"( @'explain'"`
	Analyze  bool      `parser:"  @'analyze'? )?"`
	Distinct bool      `parser:"'select' @'distinct'?"`
	Items    []*gItem  `parser:"@@ ( ',' @@ )*"`
	From     *gSource  `parser:"'from' @@"`
	Where    *gExpr    `parser:"( 'where' @@ )?"`
	GroupBy  []*gExpr  `parser:"( 'group' 'by' @@ ( ',' @@ )* )?"`
	Having   *gExpr    `parser:"( 'having' @@ )?"`
	OrderBy  []*gOrder `parser:"( 'order' 'by' @@ ( ',' @@ )* )?"`
	Limit    *gCount   `parser:"( 'limit' @@"`
	Offset   *gCount   `parser:"  ( 'offset' @@ )? )?"`
}

type gItem struct {
	Pos   lexer.Position
	Star  bool   `parser:"( @'*'"`
	Expr  *gExpr `parser:"| @@ )"`
	Alias *gName `parser:"( 'as' @@ )?"`
}

type gName struct {
	Pos   lexer.Position
	Ident *string `parser:"  @Ident"`
	Brack *string `parser:"| @Bracket"`
	Str   *string `parser:"| @String"`
}

type gSource struct {
	Pos  lexer.Position
	Name string `parser:"@Ident"`
}

type gOrder struct {
	Pos   lexer.Position
	Expr  *gExpr `parser:"@@"`
	Dir   string `parser:"( @'asc' | @'desc' )?"`
	Nulls string `parser:"( 'nulls' @( 'first' | 'last' ) )?"`
}

type gCount struct {
	Pos    lexer.Position
	Number *string `parser:"  @Number"`
	Param  *string `parser:"| @Param"`
}

// Conditions and values. participle's reflective parser pays for every struct level, so
// the grammar is kept flat: a condition is a chain of operands joined by and/or, a value
// a chain of operands joined by + - * /, and the converter applies precedence (not binds
// tighter than and, and than or; * / tighter than + -).

type gExpr struct {
	Pos   lexer.Position
	Left  *gTerm    `parser:"@@"`
	Right []*gLogic `parser:"@@*"`
}

type gLogic struct {
	Pos lexer.Position
	Op  string `parser:"@( 'and' | 'or' )"`
	X   *gTerm `parser:"@@"`
}

type gTerm struct {
	Pos  lexer.Position
	Nots []*gNotWord `parser:"@@*"`
	Left *gValue     `parser:"@@"`
	Tail *gCompare   `parser:"@@?"`
}

type gNotWord struct {
	Pos lexer.Position
	Kw  string `parser:"@'not'"`
}

type gCompare struct {
	Pos     lexer.Position
	Op      string    `parser:"  @Compare"`
	Right   *gValue   `parser:"  @@"`
	In      *gList    `parser:"| 'in' @@"`
	Is      *gIs      `parser:"| @@"`
	Not     *gNotOp   `parser:"| @@"`
	Between *gBetween `parser:"| 'between' @@"`
	Like    *gValue   `parser:"| 'like' @@"`
	Has     *gHas     `parser:"| 'has' @@"`
}

type gIs struct {
	Not bool `parser:"'is' @'not'? 'null'"`
}

type gNotOp struct {
	In      *gList    `parser:"'not' ( 'in' @@"`
	Between *gBetween `parser:"      | 'between' @@"`
	Like    *gValue   `parser:"      | 'like' @@ )"`
}

type gList struct {
	Items []*gExpr `parser:"'(' ( @@ ( ',' @@ )* )? ')'"`
}

type gBetween struct {
	Lo *gValue `parser:"@@ 'and'"`
	Hi *gValue `parser:"@@"`
}

type gHas struct {
	Mode string  `parser:"( @( 'any' | 'all' )"`
	List *gList  `parser:"  @@"`
	One  *gValue `parser:"| @@ )"`
}

type gValue struct {
	Pos   lexer.Position
	Negs  []*gMinus `parser:"@@*"`
	Left  *gPrimary `parser:"@@"`
	Right []*gArith `parser:"@@*"`
}

type gArith struct {
	Pos  lexer.Position
	Op   string    `parser:"@Arith"`
	Negs []*gMinus `parser:"@@*"`
	X    *gPrimary `parser:"@@"`
}

type gMinus struct {
	Pos lexer.Position
	Op  string `parser:"@'-'"`
}

type gPrimary struct {
	Pos    lexer.Position
	Name   *string   `parser:"  @Ident"`
	Call   *gArgs    `parser:"  @@?"`
	Lit    *gLiteral `parser:"| @@"`
	Pinned *gPinned  `parser:"| @@"`
	Case   *gCase    `parser:"| 'case' @@"`
	Param  *string   `parser:"| @Param"`
	Paren  *gExpr    `parser:"| '(' @@ ')'"`
}

type gCase struct {
	Whens []*gWhen `parser:"@@+"`
	Else  *gExpr   `parser:"( 'else' @@ )? 'end'"`
}

type gWhen struct {
	Pos  lexer.Position
	Cond *gExpr `parser:"'when' @@"`
	Then *gExpr `parser:"'then' @@"`
}

type gPinned struct {
	Parts []string `parser:"@Bracket ( @Bracket )?"`
}

type gArgs struct {
	Star     bool     `parser:"'(' ( @'*'"`
	Distinct bool     `parser:"    | @'distinct'? "`
	Args     []*gExpr `parser:"      @@ ( ',' @@ )* )? ')'"`
}

type gDefault struct {
	Pos lexer.Position
	Neg bool      `parser:"@'-'?"`
	Lit *gLiteral `parser:"@@"`
}

type gLiteral struct {
	Pos      lexer.Position
	Number   *string `parser:"  @Number"`
	Str      *string `parser:"| @String"`
	True     bool    `parser:"| @'true'"`
	False    bool    `parser:"| @'false'"`
	Null     bool    `parser:"| @'null'"`
	Date     *string `parser:"| 'date':Keyword @String"`
	Datetime *string `parser:"| 'datetime':Keyword @String"`
}

// grammar is built once: building it reflects over the structs above.
var grammar = participle.MustBuild[gEntry](
	participle.Lexer(definition{}),
	participle.CaseInsensitive("Ident"),
	participle.UseLookahead(1),
)

// exprGrammar parses a condition or value on its own (ParseExpr).
var exprGrammar = participle.MustBuild[gExpr](
	participle.Lexer(definition{}),
	participle.CaseInsensitive("Ident"),
	participle.UseLookahead(1),
)
