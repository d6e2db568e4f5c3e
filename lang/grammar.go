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
	Where  *gOr     `parser:"    ( 'where' @@ )? )"`
}

type gParamDecl struct {
	Pos     lexer.Position
	Name    string    `parser:"'param' @Param"`
	Default *gDefault `parser:"( '=' @@ )?"`
	Comment *string   `parser:"( 'comment' @String )?"`
}

type gSelect struct {
	Pos     lexer.Position
	Explain bool      `parser:"( @'explain'"`
	Analyze bool      `parser:"  @'analyze'? )?"`
	Items   []*gItem  `parser:"'select' @@ ( ',' @@ )*"`
	From    *gSource  `parser:"'from' @@"`
	Where   *gOr      `parser:"( 'where' @@ )?"`
	GroupBy []*gOr    `parser:"( 'group' 'by' @@ ( ',' @@ )* )?"`
	OrderBy []*gOrder `parser:"( 'order' 'by' @@ ( ',' @@ )* )?"`
	Limit   *gCount   `parser:"( 'limit' @@"`
	Offset  *gCount   `parser:"  ( 'offset' @@ )? )?"`
}

type gItem struct {
	Pos   lexer.Position
	Star  bool   `parser:"( @'*'"`
	Expr  *gOr   `parser:"| @@ )"`
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
	Pos  lexer.Position
	Expr *gOr   `parser:"@@"`
	Dir  string `parser:"( @'asc' | @'desc' )?"`
}

type gCount struct {
	Pos    lexer.Position
	Number *string `parser:"  @Number"`
	Param  *string `parser:"| @Param"`
}

// Conditions and values, loosest binding first: or, and, not, comparison, + -, * /,
// unary minus, primary.

type gOr struct {
	Pos   lexer.Position
	Items []*gAnd `parser:"@@ ( 'or' @@ )*"`
}

type gAnd struct {
	Pos   lexer.Position
	Items []*gNot `parser:"@@ ( 'and' @@ )*"`
}

type gNot struct {
	Pos  lexer.Position
	Nots []*gNotKw `parser:"@@*"`
	Cmp  *gCmp     `parser:"@@"`
}

type gNotKw struct {
	Pos lexer.Position
	Kw  string `parser:"@'not'"`
}

type gCmp struct {
	Pos  lexer.Position
	Left *gAdd     `parser:"@@"`
	Tail *gCmpTail `parser:"@@?"`
}

type gCmpTail struct {
	Pos     lexer.Position
	Is      *gIs      `parser:"  @@"`
	Not     *gNotOp   `parser:"| @@"`
	In      *gList    `parser:"| 'in' @@"`
	Between *gBetween `parser:"| 'between' @@"`
	Like    *gAdd     `parser:"| 'like' @@"`
	Has     *gHas     `parser:"| 'has' @@"`
	Op      string    `parser:"| @( '=' | '<>' | '<=' | '>=' | '<' | '>' | '~' )"`
	Right   *gAdd     `parser:"  @@"`
}

type gIs struct {
	Not bool `parser:"'is' @'not'? 'null'"`
}

type gNotOp struct {
	In      *gList    `parser:"'not' ( 'in' @@"`
	Between *gBetween `parser:"      | 'between' @@"`
	Like    *gAdd     `parser:"      | 'like' @@ )"`
}

type gList struct {
	Items []*gOr `parser:"'(' ( @@ ( ',' @@ )* )? ')'"`
}

type gBetween struct {
	Lo *gAdd `parser:"@@ 'and'"`
	Hi *gAdd `parser:"@@"`
}

type gHas struct {
	Mode string `parser:"( @( 'any' | 'all' )"`
	List *gList `parser:"  @@"`
	One  *gAdd  `parser:"| @@ )"`
}

type gAdd struct {
	Pos   lexer.Position
	Left  *gMul    `parser:"@@"`
	Right []*gAddR `parser:"@@*"`
}

type gAddR struct {
	Pos lexer.Position
	Op  string `parser:"@( '+' | '-' )"`
	X   *gMul  `parser:"@@"`
}

type gMul struct {
	Pos   lexer.Position
	Left  *gUnary  `parser:"@@"`
	Right []*gMulR `parser:"@@*"`
}

type gMulR struct {
	Pos lexer.Position
	Op  string  `parser:"@( '*' | '/' )"`
	X   *gUnary `parser:"@@"`
}

type gUnary struct {
	Pos  lexer.Position
	Negs []*gMinus `parser:"@@*"`
	X    *gPrimary `parser:"@@"`
}

type gMinus struct {
	Pos lexer.Position
	Op  string `parser:"@'-'"`
}

type gPrimary struct {
	Pos    lexer.Position
	Paren  *gOr      `parser:"  '(' @@ ')'"`
	Param  *string   `parser:"| @Param"`
	Lit    *gLiteral `parser:"| @@"`
	Pinned *gPinned  `parser:"| @@"`
	Name   *string   `parser:"| @Ident"`
	Call   *gArgs    `parser:"  @@?"`
}

type gPinned struct {
	Parts []string `parser:"@Bracket ( @Bracket )?"`
}

type gArgs struct {
	Star     bool   `parser:"'(' ( @'*'"`
	Distinct bool   `parser:"    | @'distinct'? "`
	Args     []*gOr `parser:"      @@ ( ',' @@ )* )? ')'"`
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
var exprGrammar = participle.MustBuild[gOr](
	participle.Lexer(definition{}),
	participle.CaseInsensitive("Ident"),
	participle.UseLookahead(1),
)
