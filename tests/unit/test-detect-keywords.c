/* test-detect-keywords.c - the keyword table: for every payload,
 * protocol-buffer and header keyword and modifier, inputs that must match
 * and inputs that must not, including boundary offsets and depths and
 * relative chains. Every row runs with the prefilter on and off; stream
 * rows also run split into two chunks at every point.
 *
 * Row kinds:
 *   PKT     alert udp any any -> any any (OPTS sid:1;)   over the payload
 *           of a to-server packet of an established flow (app "tp")
 *   TCPPKT  alert tcp ... header keywords over a TCP packet with flags
 *           SYN+ACK, seq 1000, ack 2000, window 512
 *   STREAM  alert tcp ... over the reassembled stream (md_detect_stream)
 *   WHOLE   a stream row checked unsplit only (negation and endswith
 *           depend on where chunks end)
 *   TX      alert tp ... over a transaction of the toy parser
 *           (test-detect-util.c; input "field=value;...")
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test-detect-util.h"

enum { PKT, TCPPKT, STREAM, WHOLE, TX };

struct row {
	int kind;
	const char *opts;
	const char *in;
	size_t len; /* 0: strlen(in) */
	bool match;
};

#define B(s) s, sizeof(s) - 1 /* binary input with its length */

static const struct row rows[] = {
    /* content: text, hex, escapes, negation, nocase */
    {PKT, "content:\"abc\";", "xxabcxx", 0, true},
    {PKT, "content:\"abc\";", "xxabxcx", 0, false},
    {PKT, "content:\"|61 62 63|\";", "zabc", 0, true},
    {PKT, "content:\"a|62|c\";", "abc", 0, true},
    {PKT, "content:\"|00 ff|\";", B("a\x00\xff"), true},
    {PKT, "content:\"|00 ff|\";", B("a\x00\xfe"), false},
    {PKT, "content:\"a\\;b\";", "a;b", 0, true},
    {PKT, "content:\"a\\\"b\";", "a\"b", 0, true},
    {PKT, "content:\"a\\\\b\";", "a\\b", 0, true},
    {PKT, "content:\"a\\:b\";", "a:b", 0, true},
    {PKT, "content:!\"abc\";", "xyz", 0, true},
    {PKT, "content:!\"abc\";", "xabc", 0, false},
    {PKT, "content:\"a\"; content:!\"b\";", "ac", 0, true},
    {PKT, "content:\"abc\";", "", 0, false},
    {PKT, "content:!\"abc\";", "", 0, true},
    {PKT, "content:\"ABC\"; nocase;", "xaBcx", 0, true},
    {PKT, "content:\"ABC\";", "xabcx", 0, false},
    {PKT, "content:\"DICM\"; nocase; offset:4; depth:4;", "....dicm", 0, true},
    /* depth / offset boundaries */
    {PKT, "content:\"abc\"; depth:3;", "abcx", 0, true},
    {PKT, "content:\"abc\"; depth:3;", "xabc", 0, false},
    {PKT, "content:\"abc\"; depth:4;", "xabc", 0, true},
    {PKT, "content:\"abc\"; offset:1;", "abc", 0, false},
    {PKT, "content:\"abc\"; offset:1;", "xabc", 0, true},
    {PKT, "content:\"abc\"; offset:1; depth:3;", "xabc", 0, true},
    {PKT, "content:\"abc\"; offset:1; depth:3;", "xxabc", 0, false},
    {PKT, "content:\"abc\"; offset:5;", "xxabc", 0, false},
    /* distance / within / backtracking */
    {PKT, "content:\"ab\"; content:\"cd\"; distance:0;", "abcd", 0, true},
    {PKT, "content:\"ab\"; content:\"cd\"; distance:0;", "cdab", 0, false},
    {PKT, "content:\"ab\"; content:\"cd\"; distance:1;", "abcd", 0, false},
    {PKT, "content:\"ab\"; content:\"cd\"; distance:1;", "abxcd", 0, true},
    {PKT, "content:\"cd\"; content:\"bc\"; distance:-3;", "abcd", 0, true},
    {PKT, "content:\"cd\"; content:\"bc\"; distance:-2;", "abcd", 0, false},
    {PKT, "content:\"ab\"; content:\"cd\"; within:2;", "abcd", 0, true},
    {PKT, "content:\"ab\"; content:\"cd\"; within:2;", "abxcd", 0, false},
    {PKT, "content:\"ab\"; content:\"cd\"; within:3;", "abxcd", 0, true},
    {PKT, "content:\"ab\"; content:\"cd\"; distance:1; within:2;", "abxcd", 0,
     true},
    {PKT, "content:\"ab\"; content:\"cd\"; distance:1; within:2;", "abxxcd", 0,
     false},
    {PKT, "content:\"ab\"; content:\"cd\"; within:2;", "abxxabcd", 0, true},
    {PKT, "content:\"a\"; content:\"b\"; within:1; content:\"c\"; within:1;",
     "ab ax abc", 0, true},
    {PKT, "content:\"a\"; content:\"b\"; within:1; content:\"c\"; within:1;",
     "ab ax abx", 0, false},
    {PKT, "content:\"ab\"; content:!\"cd\"; within:4;", "abxxxcd", 0, true},
    {PKT, "content:\"ab\"; content:!\"cd\"; within:4;", "abxcd", 0, false},
    /* startswith / endswith */
    {PKT, "content:\"abc\"; startswith;", "abcd", 0, true},
    {PKT, "content:\"abc\"; startswith;", "xabc", 0, false},
    {PKT, "content:\"abc\"; endswith;", "xabc", 0, true},
    {PKT, "content:\"abc\"; endswith;", "abcx", 0, false},
    {PKT, "content:\"abc\"; startswith; endswith;", "abc", 0, true},
    {PKT, "content:\"abc\"; startswith; endswith;", "abcabc", 0, false},
    /* fast_pattern and rawbytes */
    {PKT, "content:\"abc\"; content:\"xyz\"; fast_pattern;", "abcxyz", 0, true},
    {PKT, "content:\"abc\"; content:\"xyz\"; fast_pattern;", "abcxy", 0, false},
    {PKT, "content:\"abc\"; fast_pattern:only;", "abc", 0, true},
    {PKT, "content:\"abcdef\"; fast_pattern:1,3;", "abcdef", 0, true},
    {PKT, "content:\"abcdef\"; fast_pattern:1,3;", "bcd", 0, false},
    {PKT, "content:\"AbC\"; nocase; fast_pattern;", "xABCx", 0, true},
    {PKT, "content:\"ab\"; rawbytes;", "ab", 0, true},
    /* isdataat */
    {PKT, "isdataat:3;", "abcd", 0, true},
    {PKT, "isdataat:3;", "abc", 0, false},
    {PKT, "isdataat:!3;", "abc", 0, true},
    {PKT, "content:\"ab\"; isdataat:2,relative;", "abcd", 0, true},
    {PKT, "content:\"ab\"; isdataat:2,relative;", "abc", 0, false},
    {PKT, "content:\"ab\"; isdataat:!1,relative;", "ab", 0, true},
    {PKT, "content:\"ab\"; isdataat:!1,relative;", "abc", 0, false},
    /* dsize and bsize */
    {PKT, "dsize:3;", "abc", 0, true},
    {PKT, "dsize:3;", "ab", 0, false},
    {PKT, "dsize:>2;", "abc", 0, true},
    {PKT, "dsize:<3;", "abc", 0, false},
    {PKT, "dsize:>=3;", "abc", 0, true},
    {PKT, "dsize:<=2;", "abc", 0, false},
    {PKT, "dsize:!=3;", "ab", 0, true},
    {PKT, "dsize:!3;", "abc", 0, false},
    {PKT, "dsize:2<>5;", "abc", 0, true},
    {PKT, "dsize:2<>5;", "ab", 0, false},
    {PKT, "dsize:2-5;", "abcd", 0, true},
    {PKT, "dsize:2-5;", "abcde", 0, false},
    {PKT, "dsize:!2-5;", "abcde", 0, true},
    {PKT, "content:\"a\"; bsize:3;", "abc", 0, true},
    {PKT, "content:\"a\"; bsize:>3;", "abc", 0, false},
    /* pcre and its flags */
    {PKT, "pcre:\"/a.c/\";", "xabcx", 0, true},
    {PKT, "pcre:\"/A.C/\";", "abc", 0, false},
    {PKT, "pcre:\"/A.C/i\";", "abc", 0, true},
    {PKT, "pcre:\"/a.c/s\";", "a\nc", 0, true},
    {PKT, "pcre:\"/a.c/\";", "a\nc", 0, false},
    {PKT, "pcre:\"/^b/m\";", "a\nb", 0, true},
    {PKT, "pcre:\"/^b/\";", "a\nb", 0, false},
    {PKT, "pcre:\"/a b c/x\";", "abc", 0, true},
    {PKT, "pcre:\"/bc/A\";", "abc", 0, false},
    {PKT, "pcre:\"/ab/A\";", "abc", 0, true},
    {PKT, "pcre:\"/c$/\";", "abc\n", 0, true},
    {PKT, "pcre:\"/c$/E\";", "abc\n", 0, false},
    {PKT, "pcre:\"/a.+c/G\"; content:\"bc\"; distance:0;", "abcbc", 0, true},
    {PKT, "pcre:\"/a.+c/\"; content:\"bc\"; distance:0;", "abcbc", 0, false},
    {PKT, "content:\"ab\"; pcre:\"/^c/R\";", "abc", 0, true},
    {PKT, "content:\"ab\"; pcre:\"/^c/R\";", "abxc", 0, false},
    {PKT, "content:\"ab\"; pcre:\"/c/R\"; content:\"d\"; within:1;", "abcxabcd",
     0, true},
    {PKT, "pcre:\"/abc/O\";", "abc", 0, true},
    {PKT, "pcre:!\"/abc/\";", "xyz", 0, true},
    {PKT, "pcre:!\"/abc/\";", "abc", 0, false},
    {PKT, "pcre:\"m#a/b#\";", "a/b", 0, true},
    {PKT, "pcre:\"/\\d{3}\\;/\";", "x123;", 0, true},
    /* byte_test */
    {PKT, "byte_test:1,=,65,0;", "A", 0, true},
    {PKT, "byte_test:1,>,65,0;", "A", 0, false},
    {PKT, "byte_test:1,<,66,0;", "A", 0, true},
    {PKT, "byte_test:1,<=,65,0;", "A", 0, true},
    {PKT, "byte_test:1,>=,66,0;", "A", 0, false},
    {PKT, "byte_test:1,&,1,0;", "A", 0, true},
    {PKT, "byte_test:1,^,0x41,0;", "A", 0, false},
    {PKT, "byte_test:1,!=,65,0;", "A", 0, false},
    {PKT, "byte_test:1,!,65,0;", "B", 0, true},
    {PKT, "byte_test:2,=,0x4142,0;", "AB", 0, true},
    {PKT, "byte_test:2,=,0x4241,0,little;", "AB", 0, true},
    {PKT, "byte_test:2,=,0x4241,0,big;", "AB", 0, false},
    {PKT, "byte_test:4,=,0x01020304,1;", B("x\x01\x02\x03\x04"), true},
    {PKT, "byte_test:8,=,1,0;", B("\0\0\0\0\0\0\0\x01"), true},
    {PKT, "byte_test:3,=,123,0,string,dec;", "123", 0, true},
    {PKT, "byte_test:3,=,124,0,string,dec;", "123", 0, false},
    {PKT, "byte_test:2,=,255,0,string,hex;", "ff", 0, true},
    {PKT, "byte_test:3,=,8,0,string,oct;", "010", 0, true},
    {PKT, "byte_test:1,=,2,0,bitmask 0x0c;", B("\x08"), true},
    {PKT, "byte_test:1,=,3,0,bitmask 0x0c;", B("\x08"), false},
    {PKT, "content:\"ab\"; byte_test:1,=,0x63,0,relative;", "abc", 0, true},
    {PKT, "content:\"ab\"; byte_test:1,=,0x63,1,relative;", "abxc", 0, true},
    {PKT, "content:\"bc\"; byte_test:1,=,0x61,-3,relative;", "abc", 0, true},
    {PKT, "byte_test:4,=,1,0;", "ab", 0, false},
    {PKT, "byte_test:1,=,65,3;", "xxxA", 0, true},
    {PKT, "byte_test:1,=,65,4;", "xxxA", 0, false},
    /* byte_jump */
    {PKT, "byte_jump:1,0; content:\"x\"; within:1;",
     B("\x02"
       "abx"),
     true},
    {PKT, "byte_jump:1,0; content:\"x\"; within:1;",
     B("\x02"
       "axb"),
     false},
    {PKT, "content:\"L\"; byte_jump:1,0,relative; content:\"Z\"; within:1;",
     B("L\x01?Z"), true},
    {PKT, "byte_jump:1,0,multiplier 2; content:\"Z\"; within:1;",
     B("\x02xxxxZ"), true},
    {PKT, "byte_jump:1,0,align; content:\"Z\"; within:1;", B("\x02xxxxZ"),
     true},
    {PKT, "byte_jump:1,0; content:\"Z\"; within:1;", B("\x02xxxxZ"), false},
    {PKT, "byte_jump:1,0,from_beginning; content:\"Z\"; within:1;",
     B("\x03xxZ"), true},
    {PKT, "byte_jump:1,0,post_offset 1; content:\"Z\"; within:1;", B("\x01xxZ"),
     true},
    {PKT, "byte_jump:1,0,from_end,post_offset -1; content:\"Z\"; within:1;",
     B("\x00xxZ"), true},
    {PKT, "byte_jump:1,0,string,dec; content:\"Z\"; within:1;", "2xxZ", 0,
     true},
    {PKT, "byte_jump:2,0,little; content:\"Z\"; within:1;", B("\x01\x00xZ"),
     true},
    {PKT, "byte_jump:1,0; content:\"a\";", B("\x09a"), false},
    {PKT, "byte_jump:1,0; isdataat:!1,relative;", B("\x02xy"), true},
    /* byte_extract and its variables */
    {PKT, "byte_extract:1,0,len; byte_test:1,=,len,1;", B("\x05\x05"), true},
    {PKT, "byte_extract:1,0,len; byte_test:1,=,len,1;", B("\x05\x06"), false},
    {PKT, "byte_extract:1,0,off; content:\"Z\"; offset:off; depth:1;",
     B("\x03xxZ"), true},
    {PKT, "byte_extract:1,0,off; content:\"Z\"; offset:off; depth:1;",
     B("\x03xZx"), false},
    {PKT, "byte_extract:1,0,sz; content:\"A\"; distance:0; within:sz;",
     B("\x02xA"), true},
    {PKT, "byte_extract:1,0,sz; content:\"A\"; distance:0; within:sz;",
     B("\x01xA"), false},
    {PKT,
     "content:\"K\"; byte_extract:1,0,v,relative; "
     "byte_test:1,=,v,0,relative;",
     B("K\x07\x07"), true},
    {PKT, "byte_extract:1,0,v,multiplier 2; byte_test:1,=,v,1;", B("\x02\x04"),
     true},
    {PKT, "byte_extract:1,0,v,align 4; byte_test:1,=,v,1;", B("\x05\x08"),
     true},
    {PKT, "byte_extract:2,0,v,string,dec; isdataat:v;", "10xxxxxxxxx", 0, true},
    {PKT, "byte_extract:2,0,v,string,dec; isdataat:v;", "10xxxxxxxx", 0, false},
    {PKT, "byte_extract:1,0,v; byte_jump:1,v; content:\"Z\"; within:1;",
     B("\x02x\x01?Z"), true},
    {PKT, "byte_extract:1,0,v,bitmask 0xf0; byte_test:1,=,v,1;", B("\x35\x03"),
     true},
    /* buffers, flow and header keywords */
    {PKT, "pkt_data; content:\"abc\";", "abc", 0, true},
    {PKT, "flow:to_server;", "x", 0, true},
    {PKT, "flow:to_client;", "x", 0, false},
    {PKT, "flow:from_client,established;", "x", 0, true},
    {PKT, "flow:not_established;", "x", 0, false},
    {PKT, "flow:stateless;", "x", 0, true},
    {PKT, "flow:to_server,no_stream; content:\"x\";", "x", 0, true},
    {PKT, "ttl:64;", "x", 0, true},
    {PKT, "ttl:<10;", "x", 0, false},
    {PKT, "itype:8;", "x", 0, false},
    {PKT, "app-layer-protocol:tp;", "x", 0, true},
    {PKT, "app-layer-protocol:!tp;", "x", 0, false},
    {PKT, "app-layer-protocol:failed;", "x", 0, false},
    {PKT,
     "msg:\"m\"; rev:2; gid:1; classtype:misc-activity; priority:1; "
     "metadata:created_at 2024; reference:cve,2019-0001; "
     "target:dest_ip; content:\"x\";",
     "x", 0, true},
    /* TCP header keywords */
    {TCPPKT, "flags:SA;", "", 0, true},
    {TCPPKT, "flags:S;", "", 0, false},
    {TCPPKT, "flags:S+;", "", 0, true},
    {TCPPKT, "flags:+S;", "", 0, true},
    {TCPPKT, "flags:*SF;", "", 0, true},
    {TCPPKT, "flags:*RF;", "", 0, false},
    {TCPPKT, "flags:!F;", "", 0, true},
    {TCPPKT, "flags:!S;", "", 0, false},
    {TCPPKT, "flags:S,A;", "", 0, true},
    {TCPPKT, "flags:0;", "", 0, false},
    {TCPPKT, "tcp.flags:AS;", "", 0, true},
    {TCPPKT, "seq:1000;", "", 0, true},
    {TCPPKT, "ack:>2000;", "", 0, false},
    {TCPPKT, "window:512;", "", 0, true},
    {TCPPKT, "window:!512;", "", 0, false},
    {TCPPKT, "ip_proto:6;", "", 0, true},
    {TCPPKT, "ip_proto:tcp;", "", 0, true},
    {TCPPKT, "ip_proto:17;", "", 0, false},
    /* raw stream */
    {STREAM, "content:\"hello\";", "xxhelloxx", 0, true},
    {STREAM, "content:\"hello\";", "xxhellxoxx", 0, false},
    {STREAM, "content:\"hello\"; depth:7;", "xxhello", 0, true},
    {STREAM, "content:\"hello\"; depth:7;", "xxxhello", 0, false},
    {STREAM, "content:\"hello\"; offset:3;", "xxhello", 0, false},
    {STREAM, "content:\"GET\"; content:\"HTTP\"; distance:0; within:20;",
     "GET /a HTTP/1.0", 0, true},
    {STREAM, "content:\"GET\"; content:\"HTTP\"; distance:0; within:5;",
     "GET /abc HTTP/1.0", 0, false},
    {STREAM, "pcre:\"/he.lo/\";", "xxhello", 0, true},
    {STREAM, "content:\"abc\"; startswith;", "abcdef", 0, true},
    {STREAM, "content:\"abc\"; startswith;", "xabc", 0, false},
    {STREAM, "content:\"A\"; byte_test:1,=,0x42,0,relative;", "xAB", 0, true},
    {STREAM,
     "content:\"|00 01|\"; byte_jump:1,0,relative; content:\"END\"; "
     "within:3;",
     B("\x00\x01\x02xxEND"), true},
    {STREAM, "flow:only_stream; content:\"xyz\";", "axyzb", 0, true},
    {STREAM, "content:\"DICM\"; offset:128; depth:4;",
     "0123456789012345678901234567890123456789012345678901234567890123"
     "0123456789012345678901234567890123456789012345678901234567890123"
     "DICM",
     0, true},
    {WHOLE, "content:\"def\"; endswith;", "abcdef", 0, true},
    {WHOLE, "content:\"good\"; content:!\"evil\";", "good", 0, true},
    {WHOLE, "content:\"good\"; content:!\"evil\";", "good evil", 0, false},
    /* transactions: sticky buffers from the field table */
    {TX, "tp.name; content:\"STORESCU\";", "name=STORESCU", 0, true},
    {TX, "tp.name; content:\"STORESCU\";", "name=FINDSCU", 0, false},
    {TX, "tp.name; content:\"store\"; nocase;", "name=STORESCU", 0, true},
    {TX, "tp.name; content:\"SCU\"; endswith;", "name=STORESCU", 0, true},
    {TX, "tp.name; content:\"STORE\"; startswith;", "name=XSTORESCU", 0, false},
    {TX, "tp.name; content:\"ST\"; content:\"SCU\"; distance:3;",
     "name=STORESCU", 0, true},
    {TX, "tp.name; content:\"ST\"; content:\"SCU\"; distance:4;",
     "name=STORESCU", 0, false},
    {TX, "tp.name; bsize:8;", "name=STORESCU", 0, true},
    {TX, "tp.name; bsize:<8;", "name=STORESCU", 0, false},
    {TX, "tp.name; pcre:\"/^STORE/\";", "name=STORESCU", 0, true},
    {TX, "tp.name;", "name=A", 0, true},
    {TX, "tp.name;", "tag=x", 0, false},
    {TX, "tp.tag; content:\"beta\";", "tag=alpha;tag=beta", 0, true},
    {TX, "tp.tag; content:\"beta\";", "tag=alpha;tag=gamma", 0, false},
    {TX, "tp.tag; content:\"al\"; content:\"ga\";", "tag=alpha;tag=gamma", 0,
     false},
    {TX, "tp.tag; content:\"al\"; content:\"ga\";", "tag=algae", 0, true},
    {TX, "tp.name; content:\"A\"; tp.tag; content:\"B\";", "name=A;tag=B", 0,
     true},
    {TX, "tp.name; content:\"A\"; tp.tag; content:\"B\";", "name=A;tag=C", 0,
     false},
    {TX, "tp.code:200;", "code=200", 0, true},
    {TX, "tp.code:200;", "code=201", 0, false},
    {TX, "tp.code:0xc8;", "code=200", 0, true},
    {TX, "tp.code:>199;", "code=200", 0, true},
    {TX, "tp.code:<200;", "code=200", 0, false},
    {TX, "tp.code:>=200;", "code=200", 0, true},
    {TX, "tp.code:<=199;", "code=200", 0, false},
    {TX, "tp.code:!=200;", "code=200", 0, false},
    {TX, "tp.code:!200;", "code=201", 0, true},
    {TX, "tp.code:100-300;", "code=200", 0, true},
    {TX, "tp.code:200-300;", "code=200", 0, false},
    {TX, "tp.code:!100-300;", "code=200", 0, false},
    {TX, "tp.code:&0xff=200;", "code=200", 0, true},
    {TX, "tp.code:&0x0f!=8;", "code=200", 0, false},
    {TX, "tp.code:200;", "name=x", 0, false},
    {TX, "tp.code:200; tp.name; content:\"X\";", "name=X;code=200", 0, true},
    {TX, "tp.num:5;", "num=3;num=5", 0, true},
    {TX, "tp.num:>9;", "num=3;num=5", 0, false},
    {TX, "tp.flag;", "flag=1", 0, true},
    {TX, "tp.flag;", "flag=0", 0, false},
    {TX, "tp.flag:false;", "flag=0", 0, true},
    {TX, "flow:to_client; tp.flag;", "flag=1", 0, true},
    {TX, "flow:to_server; tp.flag; tp.name; content:\"A\";", "flag=1;name=A", 0,
     true},
    {TX, "tp.attr:pid-5; content:\"SMITH\";", "attr:PID-5=SMITH", 0, true},
    {TX, "tp.attr:pid-5; content:\"SMITH\";", "attr:PID-3=SMITH", 0, false},
    {TX, "tp.attr:PID-5; content:\"SMITH\";",
     "attr:PID-3=JONES;attr:PID-5=SMITH", 0, true},
    {TX, "tp.body; byte_test:1,=,0x44,0;", "body=D", 0, true},
    {TX, "file.data; content:\"DICM\";", "body=....DICM", 0, true},
    {TX, "file.data; content:\"DICM\";", "name=DICM", 0, false},
    {TX, "filemagic:\"PDF document\";", "body=%PDF-1.4\n%abc\n", 0, true},
    {TX, "filemagic:\"PNG\";", "body=%PDF-1.4\n%abc\n", 0, false},
    {TX, "filemagic:!\"PNG\";", "body=%PDF-1.4\n%abc\n", 0, true},
    {TX, "flow:to_server; tp.name; content:\"A\";", "name=A", 0, true},
    {TX, "app-layer-protocol:tp; tp.name;", "name=A", 0, true},
};

static struct md_alerts run_pkt(struct md_detect *d, const struct row *r)
{
	struct md_alerts out = {0};
	struct md_packet p;
	struct md_flow f;
	size_t len = r->len ? r->len : strlen(r->in);
	td_packet(&p, r->kind == TCPPKT ? 6 : 17, "10.0.0.1", 40000, "10.0.0.2",
		  9999, r->in, (uint32_t)len, 1000000);
	p.tcp_flags = 0x12;
	p.tcp_seq = 1000;
	p.tcp_ack = 2000;
	p.tcp_win = 512;
	td_flow(&f, &p, true);
	struct md_detect_thread *t = md_detect_thread_new(d);
	md_detect_packet(t, &f, &p, &out);
	md_detect_thread_free(t);
	md_detect_flow_free(&f);
	return out;
}

/* Feed the stream in chunks [0,cut) [cut,len); cut 0: whole. */
static unsigned run_stream(struct md_detect *d, const struct row *r, size_t cut)
{
	struct md_alerts out = {0};
	struct md_packet p;
	struct md_flow f;
	size_t len = r->len ? r->len : strlen(r->in);
	td_packet(&p, 6, "10.0.0.1", 40000, "10.0.0.2", 80, NULL, 0, 1000000);
	td_flow(&f, &p, false);
	struct md_detect_thread *t = md_detect_thread_new(d);
	const uint8_t *in = (const uint8_t *)r->in;
	if (cut) {
		md_detect_stream(t, &f, 0, in, (uint32_t)cut, 0, &out);
		md_detect_stream(t, &f, 0, in + cut, (uint32_t)(len - cut), cut,
				 &out);
	} else {
		md_detect_stream(t, &f, 0, in, (uint32_t)len, 0, &out);
	}
	md_detect_thread_free(t);
	md_detect_flow_free(&f);
	return td_count(&out, 1);
}

static struct md_alerts run_tx(struct md_detect *d, const struct row *r)
{
	struct md_alerts out = {0};
	struct md_packet p;
	struct md_flow f;
	td_packet(&p, 6, "10.0.0.1", 40000, "10.0.0.2", 9999, NULL, 0, 1000000);
	td_flow(&f, &p, true);
	struct md_tx *tx = td_tx(r->in, 0, -1);
	struct md_detect_thread *t = md_detect_thread_new(d);
	md_detect_tx(t, &f, td_parser(), tx, &out);
	md_detect_thread_free(t);
	md_detect_flow_free(&f);
	td_tx_free(tx);
	return out;
}

static void run_row(const struct row *r, size_t i)
{
	char rule[1024];
	snprintf(rule, sizeof(rule), "alert %s any any -> any any (%s sid:1;)",
		 r->kind == PKT	 ? "udp"
		 : r->kind == TX ? "tp"
				 : "tcp",
		 r->opts);
	const char *rules[] = {rule};
	bool pktrow = r->kind == PKT || r->kind == TCPPKT;
	struct md_detect *d = td_engine(rules, 1);
	for (int pf = 1; pf >= 0; pf--) {
		md_detect_set_prefilter(d, pf);
		unsigned n;
		if (pktrow) {
			struct md_alerts out = run_pkt(d, r);
			n = td_count(&out, 1);
		} else if (r->kind == TX) {
			struct md_alerts out = run_tx(d, r);
			n = td_count(&out, 1);
		} else {
			n = run_stream(d, r, 0);
		}
		if (n != (r->match ? 1u : 0u))
			fail_msg(
			    "row %zu (prefilter %s): %s on '%s': %u alerts", i,
			    pf ? "on" : "off", rule, r->in, n);
		size_t len = r->len ? r->len : strlen(r->in);
		for (size_t cut = 1; r->kind == STREAM && cut < len; cut++) {
			n = run_stream(d, r, cut);
			if ((n >= 1) != r->match || n > 1)
				fail_msg(
				    "row %zu (prefilter %s, split %zu): %s: "
				    "%u alerts",
				    i, pf ? "on" : "off", cut, rule, n);
		}
	}
	md_detect_free(d);
}

static void test_keyword_table(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i], i);
}

/* Every row's rule also loads together with all others: one engine, each
 * row a distinct sid, the prefilter compiled over all of them; the result
 * of each input must be the same with the prefilter on and off. */
static void test_prefilter_equivalence(void **st)
{
	(void)st;
	size_t n = sizeof(rows) / sizeof(rows[0]);
	char **rules = calloc(n, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		rules[i] = malloc(1024);
		snprintf(rules[i], 1024,
			 "alert %s any any -> any any (%s sid:%zu;)",
			 rows[i].kind == PKT  ? "udp"
			 : rows[i].kind == TX ? "tp"
					      : "tcp",
			 rows[i].opts, i + 1);
	}
	struct md_detect *d = td_engine((const char *const *)rules, n);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct md_alerts a[2];
		for (int pf = 0; pf < 2; pf++) {
			md_detect_set_prefilter(d, pf);
			if (r->kind == PKT || r->kind == TCPPKT)
				a[pf] = run_pkt(d, r);
			else if (r->kind == TX)
				a[pf] = run_tx(d, r);
			else
				continue;
		}
		if (r->kind == STREAM || r->kind == WHOLE)
			continue;
		if (a[0].n != a[1].n || a[0].overflow != a[1].overflow)
			fail_msg(
			    "input of row %zu: %u alerts without prefilter, "
			    "%u with",
			    i, a[0].n, a[1].n);
		for (unsigned k = 0; k < a[0].n; k++)
			assert_int_equal(a[0].a[k].sig->sid,
					 a[1].a[k].sig->sid);
		if (!a[1].overflow)
			assert_int_equal(td_count(&a[1], (uint32_t)i + 1),
					 r->match ? 1 : 0);
	}
	md_detect_free(d);
	for (size_t i = 0; i < n; i++)
		free(rules[i]);
	free(rules);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keyword_table),
	    cmocka_unit_test(test_prefilter_equivalence),
	};
	return cmocka_run_group_tests_name("detect-keywords", tests, NULL,
					   NULL);
}
