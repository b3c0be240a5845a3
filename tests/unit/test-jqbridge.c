/*
 * test-jqbridge.c - unit tests for libcommon/jqbridge.c.  The expected texts
 * in the tables were printed by the jq 1.6 command (`jq -c .` for values,
 * `jq -c PROGRAM` for programs), so sl_jq_write is held to jq's bytes:
 * tricky numbers, a seeded sample of random doubles, strings with every kind
 * of escape, objects; then programs (paths, select, map, reduce, string
 * functions, splits, several outputs, empty, runtime errors), arguments,
 * compile errors, sl_jq_test, and hostile values.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jqbridge.h"
#include "json.h"
#include "tap.h"

struct pair {
	const char *in;
	const char *out;	/* what jq -c . prints */
};

/* Numbers at the edges of jq's printer. */
static const struct pair numbers[] = {
	{ "0", "0" },
	{ "-0", "-0" },
	{ "-0.0", "-0" },
	{ "1", "1" },
	{ "-1", "-1" },
	{ "1.1", "1.1" },
	{ "3.0", "3" },
	{ "0.1", "0.1" },
	{ "0.5", "0.5" },
	{ "1e1000", "1.7976931348623157e+308" },
	{ "-1e1000", "-1.7976931348623157e+308" },
	{ "1e-1000", "0" },
	{ "100000000000000000000", "1e+20" },
	{ "1e15", "1000000000000000" },
	{ "1e16", "1e+16" },
	{ "1e17", "1e+17" },
	{ "1.5e16", "15000000000000000" },
	{ "1.5e17", "1.5e+17" },
	{ "123456789012345678", "123456789012345680" },
	{ "12345678901234567890123", "12345678901234568000000" },
	{ "9007199254740991", "9007199254740991" },
	{ "9007199254740992", "9007199254740992" },
	{ "9007199254740993", "9007199254740992" },
	{ "1e-7", "1e-07" },
	{ "1e-5", "1e-05" },
	{ "1e-4", "0.0001" },
	{ "0.0001", "0.0001" },
	{ "0.00012345", "0.00012345" },
	{ "123e-7", "1.23e-05" },
	{ "0.001", "0.001" },
	{ "0.30000000000000004", "0.30000000000000004" },
	{ "1.7976931348623157e308", "1.7976931348623157e+308" },
	{ "2.2250738585072014e-308", "2.2250738585072014e-308" },
	{ "2.225073858507201e-308", "2.225073858507201e-308" },
	{ "5e-324", "5e-324" },
	{ "1e-323", "1e-323" },
	{ "4.9406564584124654e-324", "5e-324" },
	{ "1e21", "1e+21" },
	{ "1e22", "1e+22" },
	{ "1e100", "1e+100" },
	{ "-1e-100", "-1e-100" },
	{ "123456789.123", "123456789.123" },
	{ "3.141592653589793", "3.141592653589793" },
	{ "2.718281828459045", "2.718281828459045" },
	{ "1e23", "1e+23" },
	{ "8.41e21", "8.41e+21" },
	{ "5e-310", "5e-310" },
	{ "0.1e-3", "0.0001" },
	{ "66666666666666660000", "66666666666666660000" },
	{ "1234567890123456.7", "1234567890123456.8" },
	{ "99999999999999999", "1e+17" },
	{ "0.000099", "9.9e-05" },
	{ "-123.456e10", "-1234560000000" },
	{ "1E2", "100" },
	{ "1e+2", "100" },
	{ "17", "17" },
	{ "1e0", "1" },
	{ "2e-4", "0.0002" },
	{ "1.0000000000000002", "1.0000000000000002" },
	{ "0.9999999999999999", "0.9999999999999999" },
	{ "4294967296", "4294967296" },
	{ "18446744073709551615", "18446744073709552000" },
	{ "-9223372036854775808", "-9223372036854776000" },
};

/* Random doubles (repr of a seeded Python generator) and jq's output. */
static const struct pair random_numbers[] = {
	{ "1.1045419098831014e+66", "1.1045419098831014e+66" },
	{ "-793667.9315385683", "-793667.9315385683" },
	{ "456826.7", "456826.7" },
	{ "4.7887839492389763e-26", "4.7887839492389763e-26" },
	{ "3.150362997740591e-284", "3.150362997740591e-284" },
	{ "-196817.9710298503", "-196817.9710298503" },
	{ "1058799.5", "1058799.5" },
	{ "2.893757507238711e+17", "289375750723871100" },
	{ "4.900544383294389e-35", "4.900544383294389e-35" },
	{ "40678.53892862797", "40678.53892862797" },
	{ "415518.4", "415518.4" },
	{ "2.766826434414502e-20", "2.766826434414502e-20" },
	{ "9.509613575923717e-178", "9.509613575923717e-178" },
	{ "-476560.8427762922", "-476560.8427762922" },
	{ "1087640.4000000001", "1087640.4000000001" },
	{ "9.274756314280604e+22", "92747563142806040000000" },
	{ "-1.446633669139164e+70", "-1.446633669139164e+70" },
	{ "-479491.69873523957", "-479491.69873523957" },
	{ "313442.80000000005", "313442.80000000005" },
	{ "1.9343561801924e-12", "1.9343561801924e-12" },
	{ "-4.170204084423451e-152", "-4.170204084423451e-152" },
	{ "734643.3063133762", "734643.3063133762" },
	{ "985779.3", "985779.3" },
	{ "8.485292783383335e-08", "8.485292783383335e-08" },
	{ "-1.5844951238395237e+117", "-1.5844951238395237e+117" },
	{ "211703.7674397598", "211703.7674397598" },
	{ "774763.0000000001", "774763.0000000001" },
	{ "3.8793184985185995e-16", "3.8793184985185995e-16" },
	{ "0.0010076250674111518", "0.0010076250674111518" },
	{ "-52824.22482970974", "-52824.22482970974" },
	{ "103054.6", "103054.6" },
	{ "9.44577790309402e+21", "9445777903094020000000" },
	{ "-2.085014511422572e+237", "-2.085014511422572e+237" },
	{ "95277.73917410779", "95277.73917410779" },
	{ "346313.0", "346313" },
	{ "7.211334324406682e-15", "7.211334324406682e-15" },
	{ "-5.296939485440829e-56", "-5.296939485440829e-56" },
	{ "764634.47975758", "764634.47975758" },
	{ "978161.8", "978161.8" },
	{ "7.65207801076564e-19", "7.65207801076564e-19" },
	{ "3.452684195148147e+214", "3.452684195148147e+214" },
	{ "197824.9443799788", "197824.9443799788" },
	{ "497179.10000000003", "497179.10000000003" },
	{ "4.513723936775371e-17", "4.513723936775371e-17" },
	{ "1701445951932.7012", "1701445951932.7012" },
	{ "625184.6372692413", "625184.6372692413" },
	{ "49871.8", "49871.8" },
	{ "0.008107546006382993", "0.008107546006382993" },
	{ "-2.8883345367048994e+305", "-2.8883345367048994e+305" },
	{ "-439133.57676756254", "-439133.57676756254" },
	{ "616650.1000000001", "616650.1000000001" },
	{ "64799808316856.68", "64799808316856.68" },
	{ "8.490414046385504e-130", "8.490414046385504e-130" },
	{ "994557.7483442246", "994557.7483442246" },
	{ "225580.30000000002", "225580.30000000002" },
	{ "6.643846938606091e+26", "664384693860609100000000000" },
	{ "-3.405712904672946e-142", "-3.405712904672946e-142" },
	{ "265329.9635820382", "265329.9635820382" },
	{ "318698.60000000003", "318698.60000000003" },
	{ "0.00018370364871495026", "0.00018370364871495026" },
	{ "-3.337175840292362e-199", "-3.337175840292362e-199" },
	{ "-358662.1935005161", "-358662.1935005161" },
	{ "644226.0", "644226" },
	{ "1.987121992134683e-11", "1.987121992134683e-11" },
	{ "-3.8788253531963224e+110", "-3.8788253531963224e+110" },
	{ "-876779.5159196483", "-876779.5159196483" },
	{ "263985.7", "263985.7" },
	{ "2774787.900236415", "2774787.900236415" },
	{ "-3.446648264242849e+138", "-3.446648264242849e+138" },
	{ "-525165.6603493482", "-525165.6603493482" },
	{ "381862.80000000005", "381862.80000000005" },
	{ "9.3458075208619e-13", "9.3458075208619e-13" },
	{ "5.276761342110383e-277", "5.276761342110383e-277" },
	{ "-914377.6244359607", "-914377.6244359607" },
	{ "804279.3", "804279.3" },
	{ "8.261033815091678e-14", "8.261033815091678e-14" },
	{ "-1.2835442887249418e-92", "-1.2835442887249418e-92" },
	{ "919735.1832259023", "919735.1832259023" },
	{ "20978.100000000002", "20978.100000000002" },
	{ "3.2281026459482657e-11", "3.2281026459482657e-11" },
	{ "4.082713725883186e-120", "4.082713725883186e-120" },
	{ "550478.8704502969", "550478.8704502969" },
	{ "473400.4", "473400.4" },
	{ "8.613730888315168e+24", "8613730888315168000000000" },
	{ "-1.1735269392979418e-86", "-1.1735269392979418e-86" },
	{ "635855.6013965053", "635855.6013965053" },
	{ "338428.2", "338428.2" },
	{ "6.177296429232895e+26", "617729642923289500000000000" },
	{ "1.2126986176684178e+52", "1.2126986176684178e+52" },
	{ "-727124.74688817", "-727124.74688817" },
	{ "440189.2", "440189.2" },
	{ "5.988096666471184e-21", "5.988096666471184e-21" },
	{ "-1.5602330051863343e-218", "-1.5602330051863343e-218" },
	{ "-981207.0673208708", "-981207.0673208708" },
	{ "51670.3", "51670.3" },
	{ "4.547853333470749e-08", "4.547853333470749e-08" },
	{ "-2.1754210242945632e+67", "-2.1754210242945632e+67" },
	{ "-274551.4661493114", "-274551.4661493114" },
	{ "334880.7", "334880.7" },
	{ "0.005714557550631628", "0.005714557550631628" },
	{ "3.845528683369538e-53", "3.845528683369538e-53" },
	{ "-152094.96145651035", "-152094.96145651035" },
	{ "239817.6", "239817.6" },
	{ "1.1361823275193216e-28", "1.1361823275193216e-28" },
	{ "-2.7741007819337116e-16", "-2.7741007819337116e-16" },
	{ "-662659.4573924716", "-662659.4573924716" },
	{ "780674.4", "780674.4" },
	{ "97061880.78942935", "97061880.78942935" },
	{ "-1.1856791944074171e-251", "-1.1856791944074171e-251" },
	{ "-18664.76859651401", "-18664.76859651401" },
	{ "287271.60000000003", "287271.60000000003" },
	{ "3.2143295554545913e-29", "3.2143295554545913e-29" },
	{ "-8.872654319336494e+104", "-8.872654319336494e+104" },
	{ "58483.17284744093", "58483.17284744093" },
	{ "892516.9", "892516.9" },
	{ "99690575457.60365", "99690575457.60365" },
	{ "9.885271689213004e-62", "9.885271689213004e-62" },
	{ "-44476.07395391562", "-44476.07395391562" },
	{ "278971.0", "278971" },
	{ "4.388141886191255", "4.388141886191255" },
	/* more: powers of two (a smaller gap below), cents, x * 1.1 */
	{ "1.3276350964359198e+22", "13276350964359198000000" },
	{ "65174.71", "65174.71" },
	{ "52948.03", "52948.03" },
	{ "738580.7000000001", "738580.7000000001" },
	{ "48.0", "48" },
	{ "7168.0", "7168" },
	{ "2.541098841762901e-21", "2.541098841762901e-21" },
	{ "1.4444474582904269e-34", "1.4444474582904269e-34" },
	{ "1.2980840941614484e+257", "1.2980840941614484e+257" },
	{ "16951.53", "16951.53" },
	{ "1039759.6000000001", "1039759.6000000001" },
	{ "1.6528282690043758e+22", "16528282690043758000000" },
	{ "21777.800000000003", "21777.800000000003" },
	{ "1.7331160549995324e+28", "17331160549995324000000000000" },
	{ "-1.8368969284132265e-298", "-1.8368969284132265e-298" },
	{ "44387.37", "44387.37" },
	{ "775167.8", "775167.8" },
	{ "274877906944.0", "274877906944" },
	{ "67704.3", "67704.3" },
	{ "627154.0", "627154" },
	{ "9.701404887601306e+41", "9.701404887601306e+41" },
	{ "1024622.5000000001", "1024622.5000000001" },
	{ "371258.80000000005", "371258.80000000005" },
	{ "7.275957614183426e-12", "7.275957614183426e-12" },
	{ "5.8971714191529474e+200", "5.8971714191529474e+200" },
	{ "9.414888704728768e-86", "9.414888704728768e-86" },
	{ "87187.15000000001", "87187.15000000001" },
	{ "300791.7", "300791.7" },
	{ "646692.2000000001", "646692.2000000001" },
	{ "917504.0", "917504" },
	{ "-3.3413852854957214e+155", "-3.3413852854957214e+155" },
	{ "325822.2", "325822.2" },
	{ "400590.30000000005", "400590.30000000005" },
	{ "0.000152587890625", "0.000152587890625" },
	{ "0.375", "0.375" },
	{ "-1.6584415597360896e+278", "-1.6584415597360896e+278" },
	{ "260.11", "260.11" },
	{ "57999.05", "57999.05" },
	{ "4127.78", "4127.78" },
	{ "34592.520000000004", "34592.520000000004" },
};

/* Strings and containers. */
static const struct pair values[] = {
	{ "\"plain\"",
	    "\"plain\"" },
	{ "\"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\\u007f\\u0080\xc3""\xa9""\\ud83d\\ude00 \\\"\\\\/\"",
	    "\"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\\u007f\xc2""\x80""\xc3""\xa9""\xf0""\x9f""\x98""\x80"" \\\"\\\\/\"" },
	{ "\"\\u2028\\u2029\"",
	    "\"\xe2""\x80""\xa8""\xe2""\x80""\xa9""\"" },
	{ "\"\"",
	    "\"\"" },
	{ "\"\\ufeff\\uffff\"",
	    "\"\xef""\xbb""\xbf""\xef""\xbf""\xbf""\"" },
	{ "\"tab\\there\"",
	    "\"tab\\there\"" },
	{ "{\"b\":1,\"a\":[true,false,null,{}],\"\":\"x\"}",
	    "{\"b\":1,\"a\":[true,false,null,{}],\"\":\"x\"}" },
	{ "[1,[2,[3.5,\"\\u00e9\"]],{\"k\\n\":\"v\\u0002\"}]",
	    "[1,[2,[3.5,\"\xc3""\xa9""\"]],{\"k\\n\":\"v\\u0002\"}]" },
	{ "{\"a\":1,\"a\":2,\"b\":3}",
	    "{\"a\":2,\"b\":3}" },
};

struct prog {
	const char *program;
	const char *input;
	const char *outputs;	/* each followed by '\n', as jq -c prints */
	int status;		/* 0, or -1 for a runtime error */
	const char *error;	/* the error text jq prints after its prefix */
};

static const struct prog programs[] = {
	{ ".a", "{\"a\":1,\"b\":2}",
	    "1\n", 0, NULL },
	{ ".a.b[1]", "{\"a\":{\"b\":[1,2,3]}}",
	    "2\n", 0, NULL },
	{ "[paths]", "{\"a\":{\"b\":[1,2]},\"c\":null}",
	    "[[\"a\"],[\"a\",\"b\"],[\"a\",\"b\",0],[\"a\",\"b\",1],[\"c\"]]\n", 0, NULL },
	{ "[leaf_paths]", "{\"a\":{\"b\":[1,2]},\"c\":\"x\"}",
	    "[[\"a\",\"b\",0],[\"a\",\"b\",1],[\"c\"]]\n", 0, NULL },
	{ "select(.age > 30)", "{\"age\":31}",
	    "{\"age\":31}\n", 0, NULL },
	{ "select(.age > 30)", "{\"age\":30}",
	    "", 0, NULL },
	{ "map(. * 2)", "[1,2.5,-3]",
	    "[2,5,-6]\n", 0, NULL },
	{ "reduce .[] as $x (0; . + $x)", "[1,2,3,4]",
	    "10\n", 0, NULL },
	{ ".[] | ascii_upcase", "[\"ab\",\"cD\"]",
	    "\"AB\"\n\"CD\"\n", 0, NULL },
	{ "[splits(\", *\")]", "\"a, b,c,  d\"",
	    "[\"a\",\"b\",\"c\",\"d\"]\n", 0, NULL },
	{ "split(\",\")", "\"x,y,,z\"",
	    "[\"x\",\"y\",\"\",\"z\"]\n", 0, NULL },
	{ ".[]", "[1,\"two\",null,{\"t\":3}]",
	    "1\n\"two\"\nnull\n{\"t\":3}\n", 0, NULL },
	{ "empty", "{\"a\":1}",
	    "", 0, NULL },
	{ ".a, .b, .a + .b", "{\"a\":1,\"b\":2}",
	    "1\n2\n3\n", 0, NULL },
	{ "to_entries", "{\"x\":1,\"y\":[2]}",
	    "[{\"key\":\"x\",\"value\":1},{\"key\":\"y\",\"value\":[2]}]\n", 0, NULL },
	{ "with_entries(.value += 1)", "{\"x\":1,\"y\":2}",
	    "{\"x\":2,\"y\":3}\n", 0, NULL },
	{ "length", "\"h\\u00e9llo\"",
	    "5\n", 0, NULL },
	{ "test(\"^a.c$\")", "\"abc\"",
	    "true\n", 0, NULL },
	{ "sub(\"(?<x>[0-9]+)\"; \"<\\(.x)>\")", "\"ab12cd34\"",
	    "\"ab<12>cd34\"\n", 0, NULL },
	{ "gsub(\"[aeiou]\"; \"_\")", "\"education\"",
	    "\"_d_c_t__n\"\n", 0, NULL },
	{ "tostring", "{\"a\":[1,2.5]}",
	    "\"{\\\"a\\\":[1,2.5]}\"\n", 0, NULL },
	{ "tojson|fromjson", "{\"a\":[1,\"\\u0001\"]}",
	    "{\"a\":[1,\"\\u0001\"]}\n", 0, NULL },
	{ "ltrimstr(\"ab\") | rtrimstr(\"yz\")", "\"abcxyz\"",
	    "\"cx\"\n", 0, NULL },
	{ "@base64", "\"hello\"",
	    "\"aGVsbG8=\"\n", 0, NULL },
	{ "@csv", "[1,\"a,b\",null]",
	    "\"1,\\\"a,b\\\",\"\n", 0, NULL },
	{ "group_by(.k) | map(length)", "[{\"k\":1},{\"k\":2},{\"k\":1}]",
	    "[2,1]\n", 0, NULL },
	{ "sort_by(.n) | map(.n)", "[{\"n\":3},{\"n\":1},{\"n\":2}]",
	    "[1,2,3]\n", 0, NULL },
	{ "unique", "[3,1,3,2,1]",
	    "[1,2,3]\n", 0, NULL },
	{ "keys", "{\"b\":1,\"a\":2}",
	    "[\"a\",\"b\"]\n", 0, NULL },
	{ "del(.a) | .c = 1", "{\"a\":1,\"b\":2}",
	    "{\"b\":2,\"c\":1}\n", 0, NULL },
	{ ".[] |= . + 1", "[1,2]",
	    "[2,3]\n", 0, NULL },
	{ "[range(3)]", "null",
	    "[0,1,2]\n", 0, NULL },
	{ ". as [$a, $b] | {a: $a, b: $b}", "[1,2]",
	    "{\"a\":1,\"b\":2}\n", 0, NULL },
	{ "limit(2; .[])", "[5,6,7]",
	    "5\n6\n", 0, NULL },
	{ "first(.[] | select(. > 1))", "[1,2,3]",
	    "2\n", 0, NULL },
	{ "[.[] | numbers]", "[1,\"a\",2.5,null]",
	    "[1,2.5]\n", 0, NULL },
	{ ".x / 3", "{\"x\":10}",
	    "3.3333333333333335\n", 0, NULL },
	{ ".x * 1.1", "{\"x\":50000}",
	    "55000.00000000001\n", 0, NULL },
	{ "error(\"boom\")", "{}",
	    "", -1, "boom" },
	{ ".a.b", "{\"a\":5}",
	    "", -1, "Cannot index number with string \"b\"" },
	{ ".[] | error", "[{\"e\":1}]",
	    "", -1, "{\"e\":1} (not a string)" },
	{ "{} + 1", "null",
	    "", -1, "object ({}) and number (1) cannot be added" },
	{ "[.[] | tonumber]", "[\"1\",\"x\"]",
	    "", -1, "Invalid numeric literal at EOF at line 1, column 1 (while parsing 'x')" },
	{ "if . then \"t\" else \"f\" end", "false",
	    "\"f\"\n", 0, NULL },
	{ "try error(\"x\") catch .", "null",
	    "\"x\"\n", 0, NULL },
	{ ".a // \"default\"", "{\"a\":null}",
	    "\"default\"\n", 0, NULL },
	{ "[.[] | strings | ascii_downcase]", "[\"AB\",1,\"Cd\"]",
	    "[\"ab\",\"cd\"]\n", 0, NULL },
	{ "$__loc__", "null",
	    "{\"file\":\"<top-level>\",\"line\":1}\n", 0, NULL },
	{ "[limit(3; repeat(1))]", "null",
	    "[1,1,1]\n", 0, NULL },
	{ "@html", "\"<a href=\\\"x\\\">&</a>\"",
	    "\"&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;\"\n", 0, NULL },
	{ "indices(\", \")", "\"a, b, c\"",
	    "[1,4]\n", 0, NULL },
	{ "[.[] | floor, sqrt]", "[4.5]",
	    "[4,2.1213203435596424]\n", 0, NULL },
	{ "tostream", "{\"a\":[1,2]}",
	    "[[\"a\",0],1]\n[[\"a\",1],2]\n[[\"a\",1]]\n[[\"a\"]]\n", 0, NULL },
	{ "fromstream(tostream)", "{\"a\":[1,{\"b\":2}]}",
	    "{\"a\":[1,{\"b\":2}]}\n", 0, NULL },
	{ "getpath([\"a\",\"b\"])", "{\"a\":{\"b\":7}}",
	    "7\n", 0, NULL },
	{ "halt_error", "\"bye\"",
	    "", -1, "bye" },
};

#define N_(a)	(sizeof(a) / sizeof((a)[0]))

static struct sl_arena arena = SL_ARENA_INIT;

/* in parsed by json.h, through sl_jq_from_json, out through sl_jq_write */
static void
check_value(const struct pair *p, const char *table, size_t i)
{
	struct sl_json v;
	struct sl_buf b = SL_BUF_INIT;
	jv j;

	sl_arena_reset(&arena);
	if (sl_json_parse(&arena, p->in, strlen(p->in), &v, NULL) != SL_JSON_OK) {
		ok(0, "%s %zu: %s parses", table, i, p->in);
		return;
	}
	j = sl_jq_from_json(&v);
	is_int(sl_jq_write(&b, j), 0, "%s %zu: writes", table, i);
	is_str(b.data ? b.data : "", p->out, "%s %zu: %s", table, i, p->in);
	jv_free(j);
	sl_buf_release(&b);
}

static void
test_values(void)
{
	size_t i;

	for (i = 0; i < N_(numbers); i++)
		check_value(&numbers[i], "number", i);
	for (i = 0; i < N_(random_numbers); i++)
		check_value(&random_numbers[i], "random number", i);
	for (i = 0; i < N_(values); i++)
		check_value(&values[i], "value", i);
}

/* Doubles made in C, not read from text. */
static void
test_made_numbers(void)
{
	static const struct {
		double d;
		const char *out;
	} rows[] = {
		{ NAN, "null" },
		{ INFINITY, "1.7976931348623157e+308" },
		{ -INFINITY, "-1.7976931348623157e+308" },
		{ 0.1 + 0.2, "0.30000000000000004" },
		{ 1.0 / 3, "0.3333333333333333" },
		{ -0.0, "-0" },
		{ 50000 * 1.1, "55000.00000000001" },
		{ DBL_MIN, "2.2250738585072014e-308" },
		{ 1e-4, "0.0001" },
		{ 9.5e-5, "9.5e-05" },
	};
	struct sl_buf b = SL_BUF_INIT;
	size_t i;

	for (i = 0; i < N_(rows); i++) {
		sl_buf_reset(&b);
		sl_jq_write(&b, jv_number(rows[i].d));
		is_str(b.data, rows[i].out, "made number %zu", i);
	}
	sl_buf_release(&b);
}

/* Runs p over its input and compares outputs and error with jq's. */
static void
check_program(const struct prog *p, size_t i)
{
	struct sl_buf err = SL_BUF_INIT, out = SL_BUF_INIT;
	struct sl_json v;
	struct sl_jq *q;
	jv o;
	int r;

	q = sl_jq_compile(p->program, jv_object(), &err);
	if (!ok(q != NULL, "program %zu: %s compiles", i, p->program)) {
		tap_diag("%s", err.data ? err.data : "");
		sl_buf_release(&err);
		return;
	}
	sl_arena_reset(&arena);
	if (sl_json_parse(&arena, p->input, strlen(p->input), &v, NULL)) {
		ok(0, "program %zu: input parses", i);
		sl_jq_free(q);
		return;
	}
	sl_jq_start(q, sl_jq_from_json(&v));
	sl_buf_add(&out, "", 0);
	while ((r = sl_jq_next(q, &o, &err)) == 1) {
		sl_jq_write(&out, o);
		sl_buf_addc(&out, '\n');
		jv_free(o);
	}
	is_str(out.data, p->outputs, "program %zu: %s outputs", i, p->program);
	is_int(r, p->status, "program %zu: status", i);
	if (p->status)
		is_str(err.data, p->error, "program %zu: error text", i);
	sl_jq_free(q);
	sl_buf_release(&err);
	sl_buf_release(&out);
}

static void
test_programs(void)
{
	size_t i;

	for (i = 0; i < N_(programs); i++)
		check_program(&programs[i], i);
}

/* Output of program with args on input (text), or "ERR: message". */
static char *
run1(const char *program, jv args, const char *input)
{
	struct sl_buf err = SL_BUF_INIT, out = SL_BUF_INIT;
	struct sl_json v;
	struct sl_jq *q;
	jv o;
	int r;

	q = sl_jq_compile(program, args, &err);
	if (!q) {
		sl_buf_adds(&out, "ERR: ");
		sl_buf_add(&out, err.data, err.len);
		sl_buf_release(&err);
		return sl_buf_detach(&out, NULL);
	}
	sl_arena_reset(&arena);
	if (sl_json_parse(&arena, input, strlen(input), &v, NULL))
		abort();
	sl_jq_start(q, sl_jq_from_json(&v));
	while ((r = sl_jq_next(q, &o, &err)) == 1) {
		if (out.len)
			sl_buf_addc(&out, ' ');
		sl_jq_write(&out, o);
		jv_free(o);
	}
	if (r < 0) {
		sl_buf_adds(&out, "ERR: ");
		sl_buf_add(&out, err.data, err.len);
	}
	sl_buf_add(&out, "", 0);
	sl_jq_free(q);
	sl_buf_release(&err);
	return sl_buf_detach(&out, NULL);
}

static void
test_args(void)
{
	char *s;
	jv a;

	a = jv_object_set(jv_object(), jv_string("x"), jv_string("1"));
	a = jv_object_set(a, jv_string("n"), jv_number(2));
	s = run1("[$x, $n, .k]", a, "{\"k\":3}");
	is_str(s, "[\"1\",2,3]", "named arguments");
	free(s);
	a = jv_object_set(jv_object(), jv_string("x"), jv_string("v"));
	s = run1("$ARGS", a, "null");
	is_str(s, "{\"positional\":[],\"named\":{\"x\":\"v\"}}", "$ARGS as jq");
	free(s);
	s = run1("$y", jv_object(), "null");
	ok(strncmp(s, "ERR: jq: error: $y is not defined", 33) == 0,
	    "an undefined argument does not compile");
	free(s);
	/* a compiled program runs many inputs */
	s = run1(".", jv_null(), "[1]");
	is_str(s, "[1]", "args not an object are taken as none");
	free(s);
}

static void
test_compile_errors(void)
{
	static const struct {
		const char *program;
		const char *error;	/* jq 1.6's messages */
	} rows[] = {
		{ ".[", "jq: error: syntax error, unexpected $end (Unix shell "
		    "quoting issues?) at <top-level>, line 1:\n.[ \n"
		    "jq: 1 compile error" },
		{ "foo", "jq: error: foo/0 is not defined at <top-level>, "
		    "line 1:\nfoo\njq: 1 compile error" },
		{ "1 / 0", "jq: error: Division by zero? at <top-level>, "
		    "line 1:\n1 / 0\njq: 1 compile error" },
		{ "{", NULL },
		{ "\"\\x\"", NULL },
		{ ")(", NULL },
		{ "import \"nosuch\" as n; .", NULL },
		{ "include \"nosuch\"; .", NULL },
		{ "def f: f; g", NULL },
		{ "", NULL },
	};
	struct sl_buf err = SL_BUF_INIT;
	struct sl_jq *q;
	size_t i;

	for (i = 0; i < N_(rows); i++) {
		sl_buf_reset(&err);
		q = sl_jq_compile(rows[i].program, jv_object(), &err);
		if (i == N_(rows) - 1) {
			/* the empty program is the identity in jq 1.6 */
			ok(q != NULL, "empty program compiles");
			sl_jq_free(q);
			continue;
		}
		ok(q == NULL, "compile error %zu: %s refused", i,
		    rows[i].program);
		ok(err.len > 0 && strstr(err.data, "compile error") != NULL,
		    "compile error %zu: message names it", i);
		if (rows[i].error)
			is_str(err.data, rows[i].error, "compile error %zu: "
			    "libjq's message", i);
		sl_jq_free(q);
	}
	sl_buf_release(&err);
}

static void
test_predicate(void)
{
	static const struct {
		const char *program, *input;
		int want;
	} rows[] = {
		{ ".a > 1", "{\"a\":2}", 1 },
		{ ".a > 1", "{\"a\":1}", 0 },
		{ ".a", "{\"a\":null}", 0 },
		{ ".a", "{\"a\":false}", 0 },
		{ ".a", "{\"a\":0}", 1 },
		{ ".a", "{\"a\":\"\"}", 1 },
		{ "empty", "{}", 0 },
		{ "false, true", "{}", 0 },
		{ ".a.b", "{\"a\":1}", -1 },
		{ "error(\"no\")", "{}", -1 },
	};
	struct sl_buf err = SL_BUF_INIT;
	struct sl_json v;
	struct sl_jq *q;
	size_t i;

	for (i = 0; i < N_(rows); i++) {
		sl_buf_reset(&err);
		q = sl_jq_compile(rows[i].program, jv_object(), &err);
		sl_arena_reset(&arena);
		sl_json_parse(&arena, rows[i].input, strlen(rows[i].input), &v,
		    NULL);
		is_int(sl_jq_test(q, &v, &err), rows[i].want,
		    "predicate %zu: %s on %s", i, rows[i].program,
		    rows[i].input);
		if (rows[i].want < 0)
			ok(err.len > 0, "predicate %zu: error text", i);
		/* twice: a compiled program is reusable */
		sl_buf_reset(&err);
		is_int(sl_jq_test(q, &v, &err), rows[i].want,
		    "predicate %zu: again", i);
		sl_jq_free(q);
	}
	sl_buf_release(&err);
}

static void
test_hostile(void)
{
	struct sl_buf b = SL_BUF_INIT;
	char *s;
	jv v;
	int i;

	/* not a value: nothing appended */
	sl_buf_adds(&b, "x");
	is_int(sl_jq_write(&b, jv_invalid()), -1, "invalid jv refused");
	is_str(b.data, "x", "nothing appended for an invalid jv");
	/* nesting past SL_JSON_MAX_DEPTH refused, just below written */
	v = jv_number(0);
	for (i = 0; i < SL_JSON_MAX_DEPTH; i++)
		v = JV_ARRAY_1(v);
	sl_buf_reset(&b);
	is_int(sl_jq_write(&b, v), 0, "depth %d written", SL_JSON_MAX_DEPTH);
	is_int(b.len, 2 * SL_JSON_MAX_DEPTH + 1, "all of it");
	v = JV_ARRAY_1(v);
	sl_buf_reset(&b);
	is_int(sl_jq_write(&b, v), -1, "deeper refused");
	is_int(b.len, 0, "nothing appended");
	jv_free(v);
	/* strings with NUL and a lone surrogate made by a program */
	s = run1("[0, 55296, 65] | implode", jv_object(), "null");
	is_str(s, "\"\\u0000\xef\xbf\xbd" "A\"", "implode of a surrogate");
	free(s);
	/* a big output */
	s = run1("[range(100000)] | length", jv_object(), "null");
	is_str(s, "100000", "big intermediate value");
	free(s);
	s = run1("[limit(5; repeat(\"ab\"))] | add", jv_object(), "null");
	is_str(s, "\"ababababab\"", "string add");
	free(s);
	s = run1("input", jv_object(), "null");
	ok(strncmp(s, "ERR: ", 5) == 0, "input without inputs is an error");
	free(s);
	s = run1("[inputs]", jv_object(), "null");
	is_str(s, "[]", "inputs without inputs is empty");
	free(s);
	s = run1("halt", jv_object(), "1");
	is_str(s, "", "halt ends without outputs");
	free(s);
	/* keys past the cache size and longer than it keeps */
	s = run1("keys | length", jv_object(),
	    "{\"a\":1,\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaa\":2,\"b\":3}");
	is_str(s, "3", "long keys");
	free(s);
	sl_buf_release(&b);
}

/* Many keys through the interning cache, then it is dropped. */
static void
test_key_cache(void)
{
	struct sl_buf in = SL_BUF_INIT, out = SL_BUF_INIT;
	struct sl_json v;
	int i, round;
	jv j;

	for (round = 0; round < 3; round++) {
		sl_buf_reset(&in);
		sl_buf_addc(&in, '{');
		for (i = 0; i < 2000; i++)
			sl_buf_addf(&in, "%s\"k%d\":%d", i ? "," : "",
			    (i * 7 + round) % 2000, i);
		sl_buf_addc(&in, '}');
		sl_arena_reset(&arena);
		sl_json_parse(&arena, in.data, in.len, &v, NULL);
		j = sl_jq_from_json(&v);
		sl_buf_reset(&out);
		sl_jq_write(&out, j);
		jv_free(j);
		is_str(out.data, in.data, "2000 keys round trip, round %d",
		    round);
	}
	sl_jq_release_cache();
	sl_jq_release_cache();
	ok(1, "cache released twice");
	sl_buf_release(&in);
	sl_buf_release(&out);
}

/*
 * sl_jq_write_like: number texts of the input kept where the output has
 * the same number at the same path, jq's text elsewhere.
 */
static void
test_write_like(void)
{
	static const struct {
		const char *in, *prog, *out;
	} rows[] = {
		{ "{\"a\":808.0,\"b\":\"x\"}", ".b |= ascii_upcase",
		    "{\"a\":808.0,\"b\":\"X\"}" },
		{ "{\"id\":12345678901234567890}", "{id}",
		    "{\"id\":12345678901234567890}" },
		{ "{\"id\":12345678901234567890}", "{x: .id}",
		    "{\"x\":12345678901234567000}" },
		{ "{\"id\":12345678901234567890}", ".id",
		    "12345678901234567000" },
		{ "12345678901234567890", ".", "12345678901234567890" },
		{ "{\"a\":1.50}", ".a += 1", "{\"a\":2.5}" },
		{ "{\"a\":1.50}", ".a *= 1", "{\"a\":1.50}" },
		/* key order changed: found by name */
		{ "{\"a\":1.0,\"b\":2.0}", "{b, a}", "{\"b\":2.0,\"a\":1.0}" },
		/* a duplicate key: libjq keeps the last */
		{ "{\"a\":1.0,\"a\":2.0}", "{a}", "{\"a\":2.0}" },
		/* arrays by index */
		{ "[1.0,2.0,3.0]", "reverse", "[3,2.0,1]" },
		{ "[1.0,[2.0,1E2]]", ". + [4]", "[1.0,[2.0,1E2],4]" },
		{ "{\"x\":[1e400,-0,0]}", ".y = 1",
		    "{\"x\":[1e400,-0,0],\"y\":1}" },
		/* -0 and 0 are not the same text */
		{ "{\"x\":[-0,0]}", ".x |= [.[1], .[0]]", "{\"x\":[0,-0]}" },
		/* a number where the input has another type */
		{ "{\"a\":\"1\"}", ".a |= tonumber", "{\"a\":1}" },
		{ "{\"a\":[1.0]}", ".a |= .[0]", "{\"a\":1}" },
	};
	struct sl_buf b = SL_BUF_INIT, err = SL_BUF_INIT;
	struct sl_json v;
	struct sl_jq *q;
	size_t i;
	jv o;

	for (i = 0; i < N_(rows); i++) {
		sl_arena_reset(&arena);
		sl_buf_reset(&b);
		sl_buf_reset(&err);
		if (sl_json_parse(&arena, rows[i].in, strlen(rows[i].in), &v,
		    NULL) != SL_JSON_OK ||
		    !(q = sl_jq_compile(rows[i].prog, jv_object(), &err))) {
			ok(0, "write_like %zu: %s", i, rows[i].prog);
			continue;
		}
		sl_jq_start(q, sl_jq_from_json(&v));
		if (sl_jq_next(q, &o, &err) != 1) {
			ok(0, "write_like %zu: %s: an output", i, rows[i].prog);
			sl_jq_free(q);
			continue;
		}
		is_int(sl_jq_write_like(&b, o, &v), 0, "write_like %zu: writes",
		    i);
		is_str(b.data ? b.data : "", rows[i].out, "write_like %zu: %s "
		    "on %s", i, rows[i].prog, rows[i].in);
		/* without an input: jq's formatting, as sl_jq_write */
		sl_buf_reset(&b);
		sl_buf_reset(&err);
		sl_jq_write_like(&b, o, NULL);
		sl_jq_write(&err, o);
		is_str(b.data ? b.data : "", err.data ? err.data : "",
		    "write_like %zu: no input is sl_jq_write", i);
		jv_free(o);
		sl_jq_free(q);
	}
	sl_buf_release(&b);
	sl_buf_release(&err);
}

int
main(void)
{
	test_values();
	test_made_numbers();
	test_programs();
	test_args();
	test_compile_errors();
	test_predicate();
	test_hostile();
	test_key_cache();
	test_write_like();
	sl_jq_release_cache();
	sl_arena_release(&arena);
	return tap_done();
}
