/*
** sqlmig: the checksum of an up script.
**
** A 64-bit hash of a script, written as hex digits. It detects drift (an
** up script changed after it was applied), not an adversary: whoever can
** rewrite `up` in the store can rewrite `checksum` too, so a cryptographic
** hash would buy nothing and cost every migrate() a few microseconds per
** revision. Eight bytes at a time: each word is multiplied into the state,
** rotated and offset; the length is folded in and the end avalanched so
** that every input bit reaches every output bit.
**
** Version 2 (stored as "v2:" and 16 digits) hashes the script's tokens,
** one space between two, with white space, comments and empty statements
** left out and no ';' at the end: a cosmetic edit of a shipped revision
** keeps its checksum, any token change does not. Version 1 (sqlmig 0.1,
** 16 bare digits) hashed the raw bytes; databases keep such checksums,
** so both are verified and neither may ever change.
**
** The start-up idiom computes one per revision and migrate() verifies one
** per applied revision, so this file (with token.c) is compiled for speed
** where the rest of the library is compiled for size (Makefile, HOT).
*/
#include "sqlmig_int.h"
#include <stdint.h>
#define SCRIPT_K1 0x9e3779b97f4a7c15ULL
#define SCRIPT_K2 0xc2b2ae3d27d4eb4fULL
#define SCRIPT_K3 0xff51afd7ed558ccdULL
#define SCRIPT_K4 0xc4ceb9fe1a85ec53ULL

/* The 64-bit little-endian word at p (whatever the host's byte order). */
static uint64_t scriptWord(const unsigned char *p, size_t n){
  uint64_t w = 0;
  size_t i;
  if( n==8 ){
    /* Spelled out, so that compilers make it one load */
    return (uint64_t)p[0] | (uint64_t)p[1]<<8 | (uint64_t)p[2]<<16
         | (uint64_t)p[3]<<24 | (uint64_t)p[4]<<32 | (uint64_t)p[5]<<40
         | (uint64_t)p[6]<<48 | (uint64_t)p[7]<<56;
  }
  for(i=n; i>0; i--) w = (w<<8) | p[i-1];
  return w;
}

static uint64_t scriptMix(uint64_t h, uint64_t w){
  h ^= w * SCRIPT_K2;
  h = (h<<31) | (h>>33);
  return h * SCRIPT_K1 + SCRIPT_K4;
}

/* The final avalanche, written as 16 hex digits and a NUL at zHex. */
static void scriptHex(uint64_t h, char *zHex){
  static const char zDigit[] = "0123456789abcdef";
  int i;
  h ^= h>>33;
  h *= SCRIPT_K3;
  h ^= h>>29;
  h *= SCRIPT_K4;
  h ^= h>>32;
  for(i=15; i>=0; i--){
    zHex[i] = zDigit[h & 15];
    h >>= 4;
  }
  zHex[16] = 0;
}

/* Version 1: the raw bytes p[0..n), 16 hex digits into zHex[17]. */
static void scriptChecksumV1(const void *pIn, size_t n, char *zHex){
  const unsigned char *p = (const unsigned char*)pIn;
  uint64_t h = SCRIPT_K3 ^ ((uint64_t)n * SCRIPT_K1);
  size_t k;
  for(k=0; k+8<=n; k+=8) h = scriptMix(h, scriptWord(p+k, 8));
  if( k<n ) h = scriptMix(h, scriptWord(p+k, n-k) ^ ((uint64_t)(n-k)<<59));
  scriptHex(h, zHex);
}

/* Version 2's hash state: bytes are fed in pieces. */
typedef struct ScriptHash ScriptHash;
struct ScriptHash {
  uint64_t h;
  uint64_t nTotal;
  unsigned char aBuf[8];
  int nBuf;
};

static void scriptHashFeed(ScriptHash *p, const unsigned char *z, int n){
  int i = 0;
  p->nTotal += (uint64_t)n;
  if( p->nBuf>0 ){
    while( i<n && p->nBuf<8 ) p->aBuf[p->nBuf++] = z[i++];
    if( p->nBuf<8 ) return;
    p->h = scriptMix(p->h, scriptWord(p->aBuf, 8));
    p->nBuf = 0;
  }
  for(; i+8<=n; i+=8) p->h = scriptMix(p->h, scriptWord(z+i, 8));
  while( i<n ) p->aBuf[p->nBuf++] = z[i++];
}

/*
** Byte classes for the shapes sqlmigChecksum reads itself, exactly as
** sqlmigToken (token.c) cuts them: CK_SPACE white space, CK_WORD a byte that
** starts a bare word (letters, '_', bytes >= 0x80; 'x' and 'X' are words
** unless a quote follows, a blob), CK_CONT continues one (those, digits and
** '$'), CK_PUNCT ( ) , are one-byte tokens. Every other byte goes to
** sqlmigToken.
*/
#define CK_SPACE 1       /* white space */
#define CK_WORD  2       /* starts a bare word */
#define CK_CONT  4       /* continues one (also digits and '$') */
#define CK_PUNCT 8       /* ( ) , */
static const unsigned char aCkClass[256] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 0, 0, 0, 4, 0, 0, 0, 8, 8, 0, 0, 8, 0, 0, 0,
  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0,
  0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 0, 0, 6,
  0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 0, 0, 0,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
};
#define ckClass(c) aCkClass[(unsigned char)(c)]

/*
** Appends token z[0..nTok) to the canonical text (a space before it unless
** it is the first, " ;" first after a semicolon between two statements).
*/
static void ckAppend(ScriptHash *pHash, unsigned char *aOut, int *pnOut,
                     const unsigned char *z, int nTok, int bFirst, int bSemi){
  int nOut = *pnOut;
  if( nOut+nTok+3>256 ){
    scriptHashFeed(pHash, aOut, nOut);
    nOut = 0;
  }
  if( bSemi ){ aOut[nOut++] = ' '; aOut[nOut++] = ';'; }
  if( !bFirst ) aOut[nOut++] = ' ';
  if( nOut+nTok<=256 ){
    int k;
    for(k=0; k<nTok; k++) aOut[nOut+k] = z[k];
    nOut += nTok;
  }else{
    scriptHashFeed(pHash, aOut, nOut);
    scriptHashFeed(pHash, z, nTok);
    nOut = 0;
  }
  *pnOut = nOut;
}

void sqlmigChecksum(const char *zIn, int n, char *zOut){
  const unsigned char *z = (const unsigned char*)zIn;
  ScriptHash hash;
  unsigned char aOut[256];   /* canonical text not yet hashed */
  int nOut = 0;
  int i = 0, bFirst = 1, bSemi = 0;
  memset(&hash, 0, sizeof(hash));
  hash.h = SCRIPT_K3 ^ SCRIPT_K2;
  while( z && i<n ){
    unsigned char e = ckClass(z[i]);
    int nTok;
    if( e&CK_SPACE ){
      for(i++; i<n && (ckClass(z[i])&CK_SPACE); i++){}
      continue;
    }
    if( (e&CK_WORD) && !((z[i]=='x' || z[i]=='X') && i+1<n && z[i+1]=='\'') ){
      int j = i+1;
      while( j<n && (ckClass(z[j])&CK_CONT) ) j++;
      nTok = j-i;
    }else if( e&CK_PUNCT ){
      nTok = 1;
    }else{
      int eType, eOpen;
      nTok = sqlmigToken(z+i, n-i, &eType, &eOpen);
      if( eType==SQLMIG_TK_SEMI ){
        bSemi = !bFirst;
        i += nTok;
        continue;
      }
      if( eType==SQLMIG_TK_SPACE || eType==SQLMIG_TK_COMMENT ){
        i += nTok;
        continue;
      }
    }
    ckAppend(&hash, aOut, &nOut, z+i, nTok, bFirst, bSemi);
    bFirst = 0;
    bSemi = 0;
    i += nTok;
  }
  scriptHashFeed(&hash, aOut, nOut);
  if( hash.nBuf>0 ){
    hash.h = scriptMix(hash.h, scriptWord(hash.aBuf, (size_t)hash.nBuf)
                               ^ ((uint64_t)hash.nBuf<<59));
  }
  hash.h ^= hash.nTotal * SCRIPT_K1;
  memcpy(zOut, "v2:", 3);
  scriptHex(hash.h, zOut+3);
}

int sqlmigChecksumMatches(const char *z, int n, const char *zStored){
  char zHex[SQLMIG_CHECKSUM_LEN+1];
  if( zStored==0 ) return 0;
  if( strlen(zStored)==16 ){
    scriptChecksumV1(z ? z : "", (size_t)(n>0 ? n : 0), zHex);
  }else{
    sqlmigChecksum(z, n, zHex);
  }
  return strcmp(zHex, zStored)==0;
}

#undef SCRIPT_K1
#undef SCRIPT_K2
#undef SCRIPT_K3
#undef SCRIPT_K4
#undef CK_SPACE
#undef CK_WORD
#undef CK_CONT
#undef CK_PUNCT
#undef ckClass
