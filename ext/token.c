/*
** sqlmig: the SQL tokenizer every part of sqlmig reads SQL with.
**
** The script guard and statement splitter (script.c), the canonical
** checksum of up scripts (script.c) and the schema diff's canonical texts
** (diff.c) all cut SQL into tokens here, so they agree on where a literal,
** a comment or a name ends. It knows the lexical shapes of SQLite's SQL:
** 'strings', x'blobs', "identifiers", [identifiers], `identifiers`, -- and
** block comments, numbers (1, 1.5e-3, .5, 0x1F), parameters (?1, :a, @a,
** $a), the operators of more than one character (<= >= <> != == || << >>
** -> ->>), and bare words (keywords and names; bytes >= 0x80 belong to
** names, so UTF-8 stays whole). It never allocates and never reads past
** the n bytes it is given: an unterminated literal or comment runs to the
** end and says so through *peOpen.
*/
#include "sqlmig_int.h"

int sqlmigIsSpace(unsigned char c){
  return c==' ' || (c>=9 && c<=13);
}

/* True for a byte that may continue a bare word. */
static int tokIsWordChar(unsigned char c){
  return (c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
      || c=='_' || c=='$' || c>=0x80;
}

static int tokIsDigit(unsigned char c){
  return c>='0' && c<='9';
}

unsigned char sqlmigUpper(unsigned char c){
  return (c>='a' && c<='z') ? (unsigned char)(c - 'a' + 'A') : c;
}

/*
** Length of the literal that opens with the quote z[0] and ends with
** cClose; a doubled cClose is an escaped one when bDouble. Sets *pbOpen
** when the text ends first (the literal then runs to z[n]).
*/
static int tokQuoted(const unsigned char *z, int n, unsigned char cClose,
                     int bDouble, int *pbOpen){
  int i = 1;
  while( i<n ){
    const unsigned char *p = memchr(z+i, cClose, (size_t)(n-i));
    if( p==0 ) break;
    i = (int)(p - z) + 1;
    if( !bDouble || i>=n || z[i]!=cClose ) return i;
    i++;
  }
  *pbOpen = 1;
  return n;
}

/* Length of the number at z[0] (a digit, or '.' before a digit). */
static int tokNumber(const unsigned char *z, int n){
  int bHex = n>1 && z[0]=='0' && (z[1]=='x' || z[1]=='X');
  int i;
  for(i=1; i<n; i++){
    if( tokIsWordChar(z[i]) || z[i]=='.' ) continue;
    if( !bHex && (z[i]=='+' || z[i]=='-') && (z[i-1]=='e' || z[i-1]=='E') ){
      continue;
    }
    break;
  }
  return i;
}

/* Length of the operator at z[0]: 1, or 2-3 for the multi-byte ones. */
static int tokOperator(const unsigned char *z, int n){
  static const char azOp[][4] = {   /* arrays: no relocation each */
    "->>", "<=", ">=", "<>", "!=", "==", "||", "<<", ">>", "->",
  };
  size_t k;
  for(k=0; k<sizeof(azOp)/sizeof(azOp[0]); k++){
    int nOp = (int)strlen(azOp[k]);
    if( nOp<=n && memcmp(z, azOp[k], (size_t)nOp)==0 ) return nOp;
  }
  return 1;
}

int sqlmigToken(const unsigned char *z, int n, int *peType, int *peOpen){
  unsigned char c = z[0];
  int i;
  int bOpen = 0;
  *peOpen = SQLMIG_OPEN_NONE;
  if( sqlmigIsSpace(c) ){
    for(i=1; i<n && sqlmigIsSpace(z[i]); i++){}
    *peType = SQLMIG_TK_SPACE;
    return i;
  }
  switch( c ){
    case ';': *peType = SQLMIG_TK_SEMI;  return 1;
    case '(': *peType = SQLMIG_TK_LP;    return 1;
    case ')': *peType = SQLMIG_TK_RP;    return 1;
    case ',': *peType = SQLMIG_TK_COMMA; return 1;
    case '.':
      if( n>1 && tokIsDigit(z[1]) ){
        *peType = SQLMIG_TK_NUMBER;
        return tokNumber(z, n);
      }
      *peType = SQLMIG_TK_DOT;
      return 1;
    case '-':
      if( n>1 && z[1]=='-' ){
        const unsigned char *p = memchr(z+2, '\n', (size_t)(n-2));
        *peType = SQLMIG_TK_COMMENT;
        return p ? (int)(p - z) : n;
      }
      break;
    case '/':
      if( n>1 && z[1]=='*' ){
        *peType = SQLMIG_TK_COMMENT;
        for(i=2; i+1<n; i++){
          const unsigned char *p = memchr(z+i, '*', (size_t)(n-1-i));
          if( p==0 ) break;
          i = (int)(p - z);
          if( z[i+1]=='/' ) return i+2;
        }
        *peOpen = SQLMIG_OPEN_COMMENT;
        return n;
      }
      break;
    case '\'':
      i = tokQuoted(z, n, '\'', 1, &bOpen);
      *peType = SQLMIG_TK_STRING;
      if( bOpen ) *peOpen = SQLMIG_OPEN_STRING;
      return i;
    case '"':
    case '`':
    case '[':
      i = tokQuoted(z, n, c=='[' ? ']' : c, c!='[', &bOpen);
      *peType = SQLMIG_TK_QUOTED;
      if( bOpen ) *peOpen = SQLMIG_OPEN_IDENT;
      return i;
    case 'x':
    case 'X':
      if( n>1 && z[1]=='\'' ){
        i = 1 + tokQuoted(z+1, n-1, '\'', 0, &bOpen);
        *peType = SQLMIG_TK_BLOB;
        if( bOpen ) *peOpen = SQLMIG_OPEN_STRING;
        return i;
      }
      break;
    case '?':
    case ':':
    case '@':
    case '$':
      /* A parameter is not an identifier. */
      for(i=1; i<n && tokIsWordChar(z[i]); i++){}
      *peType = SQLMIG_TK_VARIABLE;
      return i;
    default:
      break;
  }
  if( tokIsDigit(c) ){
    *peType = SQLMIG_TK_NUMBER;
    return tokNumber(z, n);
  }
  if( tokIsWordChar(c) ){
    for(i=1; i<n && tokIsWordChar(z[i]); i++){}
    *peType = SQLMIG_TK_WORD;
    return i;
  }
  *peType = SQLMIG_TK_OP;
  return tokOperator(z, n);
}

int sqlmigWordIs(const unsigned char *z, int n, const char *zKw){
  int i;
  for(i=0; i<n; i++){
    if( zKw[i]==0 || sqlmigUpper(z[i])!=(unsigned char)zKw[i] ) return 0;
  }
  return zKw[i]==0;
}

/*
** Reads the name token z[0..n) one unquoted byte at a time: *pi is the
** position (start it at 0), returns the next byte or -1 at the end.
*/
static int tokNameByte(const unsigned char *z, int n, int *pi){
  int i = *pi;
  unsigned char q = 0, cClose = 0;
  int iEnd = n;
  if( n>0 && (z[0]=='"' || z[0]=='\'' || z[0]=='`' || z[0]=='[') ){
    cClose = z[0]=='[' ? ']' : z[0];
    if( z[0]!='[' ) q = z[0];
    if( i==0 ) i = 1;
    if( n>=2 && z[n-1]==cClose ) iEnd = n-1;
  }
  if( i>=iEnd ) return -1;
  if( q && z[i]==q && i+1<iEnd && z[i+1]==q ) i++;
  *pi = i+1;
  return z[i];
}

int sqlmigNameIs(const unsigned char *z, int n, const char *zName){
  return sqlmigNameEq(z, n, (const unsigned char*)zName, (int)strlen(zName));
}

int sqlmigNameHasPrefix(const unsigned char *z, int n, const char *zPrefix){
  int i = 0, k;
  for(k=0; zPrefix[k]; k++){
    int c = tokNameByte(z, n, &i);
    if( c<0 || sqlmigUpper((unsigned char)c)
               !=sqlmigUpper((unsigned char)zPrefix[k]) ){
      return 0;
    }
  }
  return 1;
}

int sqlmigNameEq(const unsigned char *zA, int nA,
                 const unsigned char *zB, int nB){
  int iA = 0, iB = 0;
  for(;;){
    int cA = tokNameByte(zA, nA, &iA);
    int cB = tokNameByte(zB, nB, &iB);
    if( cA<0 || cB<0 ) return cA==cB;
    if( sqlmigUpper((unsigned char)cA)!=sqlmigUpper((unsigned char)cB) ){
      return 0;
    }
  }
}

int sqlmigNextToken(const unsigned char *z, int n, int i, int bSkipSemi,
                    int *peType, int *pnTok){
  while( i<n ){
    int eOpen;
    int nTok = sqlmigToken(z+i, n-i, peType, &eOpen);
    if( *peType!=SQLMIG_TK_SPACE && *peType!=SQLMIG_TK_COMMENT
     && (*peType!=SQLMIG_TK_SEMI || !bSkipSemi) ){
      *pnTok = nTok;
      return i;
    }
    i += nTok;
  }
  *peType = 0;
  *pnTok = 0;
  return n;
}
