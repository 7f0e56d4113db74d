/* betfair_simdjson.cpp - a reference row for bench/betfair.sh, not part of
 * nbpy: how fast simdjson (the fastest JSON parser published, SIMD in two
 * stages) reads the same lines, a yardstick for any strict parse of them.
 * Each line is parsed whole into simdjson's DOM (checked as strictly as
 * json_scan checks it), then every value the market cache reads is read
 * (op, ct, pt; each mc's id, img, marketDefinition status/inPlay/runners,
 * tv, rc; each runner's id, hc, batb, batl, trd, ltp, tv, every ladder
 * number), members found in one pass over each object, and summed, nothing
 * applied.  With "parse", only the parse.  Best of PASSES; prints
 * "LINES SECONDS".  Built by bench/betfair.sh when libsimdjson-dev is there.
 *
 *	betfair_simdjson FILE [PASSES [parse]] */
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

using namespace simdjson;

/* What reading a value adds to the sink: a number itself, a string its
 * length, a bool 0 or 1. */
static double weight(double d) { return d; }
static double weight(int64_t i) { return (double)i; }
static double weight(bool b) { return b; }
static double weight(std::string_view s) { return (double)s.size(); }

/* Read v as a T into *sink; false if it is not one. */
template <typename T> static bool add(dom::element v, double *sink)
{
	T x;

	if (v.get(x) != SUCCESS)
		return false;
	*sink += weight(x);
	return true;
}

/* Each element of the array v through each(); false if v is not an array or
 * each() refuses one. */
template <typename F> static bool each_of(dom::element v, F each)
{
	dom::array a;

	if (v.get(a) != SUCCESS)
		return false;
	for (dom::element e : a)
		if (!each(e))
			return false;
	return true;
}

/* A ladder: every number of every entry. */
static bool ladder(dom::element v, double *sink)
{
	return each_of(v, [sink](dom::element entry) {
		return each_of(entry, [sink](dom::element x) { return add<double>(x, sink); });
	});
}

/* Each member of the object v through each(name, value), in one pass;
 * false if v is not an object or each() refuses one. */
template <typename F> static bool members(dom::element v, F each)
{
	dom::object o;

	if (v.get(o) != SUCCESS)
		return false;
	for (dom::key_value_pair kv : o)
		if (!each(kv.key, kv.value))
			return false;
	return true;
}

static bool runner(dom::element rc, double *sink)
{
	return members(rc, [sink](std::string_view k, dom::element v) {
		return !((k == "id" && !add<int64_t>(v, sink)) ||
			 ((k == "batb" || k == "batl" || k == "trd") && !ladder(v, sink)) ||
			 ((k == "hc" || k == "ltp" || k == "tv") && !add<double>(v, sink)));
	});
}

static bool runners(dom::element v, double *sink)
{
	return each_of(v, [sink](dom::element r) { return runner(r, sink); });
}

static bool definition(dom::element def, double *sink)
{
	return members(def, [sink](std::string_view k, dom::element v) {
		return !((k == "status" && !add<std::string_view>(v, sink)) ||
			 (k == "inPlay" && !add<bool>(v, sink)) || (k == "runners" && !runners(v, sink)));
	});
}

static bool market_change(dom::element mc, double *sink)
{
	return members(mc, [sink](std::string_view k, dom::element v) {
		return !((k == "id" && !add<std::string_view>(v, sink)) || (k == "img" && !add<bool>(v, sink)) ||
			 (k == "tv" && !add<double>(v, sink)) || (k == "marketDefinition" && !definition(v, sink)) ||
			 (k == "rc" && !runners(v, sink)));
	});
}

static bool line(dom::element root, double *sink)
{
	return members(root, [sink](std::string_view k, dom::element v) {
		return !(((k == "op" || k == "ct") && !add<std::string_view>(v, sink)) ||
			 (k == "pt" && !add<int64_t>(v, sink)) ||
			 (k == "mc" && !each_of(v, [sink](dom::element m) { return market_change(m, sink); })));
	});
}

int main(int argc, char **argv)
{
	int passes = argc > 2 ? std::atoi(argv[2]) : 5;
	bool parse_only = argc > 3 && std::strcmp(argv[3], "parse") == 0;
	std::vector<padded_string> lines;
	double best = 1e9, sink = 0;

	if (argc < 2 || passes < 1) {
		std::fprintf(stderr, "usage: betfair_simdjson FILE [PASSES [parse]]\n");
		return 2;
	}
	std::ifstream f(argv[1], std::ios::binary);
	std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
	if (!f.good() && !f.eof()) {
		std::perror(argv[1]);
		return 1;
	}
	/* padded copies made before the clock starts, as bench/betfair reads
	 * its lines in place */
	for (size_t p = 0; p < data.size();) {
		size_t nl = data.find('\n', p);

		if (nl == std::string::npos)
			nl = data.size();
		lines.emplace_back(data.data() + p, nl - p);
		p = nl + 1;
	}
	for (int pass = 0; pass < passes; pass++) {
		dom::parser parser;
		auto t0 = std::chrono::steady_clock::now();

		for (size_t i = 0; i < lines.size(); i++) {
			dom::element root;

			if (parser.parse(lines[i]).get(root) != SUCCESS || (!parse_only && !line(root, &sink))) {
				std::fprintf(stderr, "betfair_simdjson: bad line %zu\n", i + 1);
				return 1;
			}
		}
		double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
		if (s < best)
			best = s;
	}
	std::printf("%zu %.6f\n", lines.size(), best);
	return parse_only || sink != 0 ? 0 : 1;	/* keeps the reads from being optimised away */
}
