#include "demo/demo_model.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <utility>
#include <vector>

namespace quantatom {
namespace {

constexpr int kEntitiesPerCountryMax = 1000;
constexpr int kCitiesPerCountry = 5;
constexpr int kProductsPerEntity = 10;
constexpr int kYears[] = {2024, 2025, 2026};
// Flush the facts buffer past this size: one fwrite at the default size,
// bounded memory at the largest.
constexpr size_t kFactsBufferBytesMax = size_t{128} << 20;

// splitmix64: small, fast and the same on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t state_;
};

// ---- Entity: Total Company > region > country > legal entity --------------

constexpr const char* kRegions[] = {"Americas", "Western Europe", "Northern & Eastern Europe",
                                    "Asia Pacific", "Middle East & Africa"};
constexpr int kCountriesPerRegion = 8;
constexpr const char* kBrands[] = {"Acme", "Northwind", "Bluepeak", "Meridian", "Silverline"};

struct Country {
  const char* name;
  const char* iso;  // alias of the country, prefix of its entities' aliases
  const char* currency;
  const char* legal_form;
  // The first three letters of each city make the entity alias: unique per country.
  const char* cities[kCitiesPerCountry];
};

// clang-format off
constexpr Country kCountries[] = {
  {"United States", "US", "USD", "Inc.", {"Boston", "Chicago", "Austin", "Seattle", "Denver"}},
  {"Canada", "CA", "CAD", "Ltd.", {"Toronto", "Montreal", "Vancouver", "Calgary", "Ottawa"}},
  {"Mexico", "MX", "MXN", "S.A. de C.V.", {"Mexico City", "Guadalajara", "Monterrey", "Puebla", "Tijuana"}},
  {"Brazil", "BR", "BRL", "Ltda.", {"Sao Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba", "Porto Alegre"}},
  {"Argentina", "AR", "ARS", "S.A.", {"Buenos Aires", "Cordoba", "Rosario", "Mendoza", "La Plata"}},
  {"Chile", "CL", "CLP", "SpA", {"Santiago", "Valparaiso", "Concepcion", "Antofagasta", "Temuco"}},
  {"Colombia", "CO", "COP", "S.A.S.", {"Bogota", "Medellin", "Cali", "Barranquilla", "Cartagena"}},
  {"Peru", "PE", "PEN", "S.A.C.", {"Lima", "Arequipa", "Trujillo", "Cusco", "Chiclayo"}},
  {"Germany", "DE", "EUR", "GmbH", {"Munich", "Berlin", "Hamburg", "Frankfurt", "Stuttgart"}},
  {"France", "FR", "EUR", "SAS", {"Paris", "Lyon", "Marseille", "Toulouse", "Lille"}},
  {"United Kingdom", "GB", "GBP", "Ltd", {"London", "Manchester", "Edinburgh", "Birmingham", "Bristol"}},
  {"Italy", "IT", "EUR", "S.r.l.", {"Milan", "Rome", "Turin", "Bologna", "Naples"}},
  {"Spain", "ES", "EUR", "S.L.", {"Madrid", "Barcelona", "Valencia", "Seville", "Bilbao"}},
  {"Netherlands", "NL", "EUR", "B.V.", {"Amsterdam", "Rotterdam", "Eindhoven", "Utrecht", "The Hague"}},
  {"Belgium", "BE", "EUR", "BV", {"Brussels", "Antwerp", "Ghent", "Liege", "Leuven"}},
  {"Switzerland", "CH", "CHF", "AG", {"Zurich", "Geneva", "Basel", "Bern", "Lausanne"}},
  {"Sweden", "SE", "SEK", "AB", {"Stockholm", "Gothenburg", "Malmo", "Uppsala", "Linkoping"}},
  {"Norway", "NO", "NOK", "AS", {"Oslo", "Bergen", "Trondheim", "Stavanger", "Drammen"}},
  {"Denmark", "DK", "DKK", "ApS", {"Copenhagen", "Aarhus", "Odense", "Aalborg", "Esbjerg"}},
  {"Finland", "FI", "EUR", "Oy", {"Helsinki", "Espoo", "Tampere", "Oulu", "Turku"}},
  {"Poland", "PL", "PLN", "Sp. z o.o.", {"Warsaw", "Krakow", "Wroclaw", "Gdansk", "Poznan"}},
  {"Czechia", "CZ", "CZK", "s.r.o.", {"Prague", "Brno", "Ostrava", "Plzen", "Olomouc"}},
  {"Austria", "AT", "EUR", "GmbH", {"Vienna", "Graz", "Linz", "Salzburg", "Innsbruck"}},
  {"Hungary", "HU", "HUF", "Kft.", {"Budapest", "Debrecen", "Szeged", "Pecs", "Gyor"}},
  {"Japan", "JP", "JPY", "K.K.", {"Tokyo", "Osaka", "Nagoya", "Fukuoka", "Sapporo"}},
  {"China", "CN", "CNY", "Co., Ltd.", {"Shanghai", "Beijing", "Shenzhen", "Guangzhou", "Chengdu"}},
  {"India", "IN", "INR", "Pvt. Ltd.", {"Bangalore", "Mumbai", "New Delhi", "Hyderabad", "Pune"}},
  {"Australia", "AU", "AUD", "Pty Ltd", {"Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide"}},
  {"Singapore", "SG", "SGD", "Pte. Ltd.", {"Singapore", "Jurong", "Changi", "Tampines", "Woodlands"}},
  {"South Korea", "KR", "KRW", "Co., Ltd.", {"Seoul", "Busan", "Incheon", "Daegu", "Gwangju"}},
  {"New Zealand", "NZ", "NZD", "Limited", {"Auckland", "Wellington", "Christchurch", "Hamilton", "Dunedin"}},
  {"Malaysia", "MY", "MYR", "Sdn. Bhd.", {"Kuala Lumpur", "Penang", "Johor Bahru", "Cyberjaya", "Kuching"}},
  {"United Arab Emirates", "AE", "AED", "FZ-LLC", {"Dubai", "Abu Dhabi", "Sharjah", "Ajman", "Ras Al Khaimah"}},
  {"Saudi Arabia", "SA", "SAR", "LLC", {"Riyadh", "Jeddah", "Dammam", "Mecca", "Medina"}},
  {"Israel", "IL", "ILS", "Ltd.", {"Tel Aviv", "Jerusalem", "Haifa", "Herzliya", "Beersheba"}},
  {"Turkey", "TR", "TRY", "A.S.", {"Istanbul", "Ankara", "Izmir", "Bursa", "Antalya"}},
  {"South Africa", "ZA", "ZAR", "(Pty) Ltd", {"Johannesburg", "Cape Town", "Durban", "Pretoria", "Port Elizabeth"}},
  {"Nigeria", "NG", "NGN", "Ltd", {"Lagos", "Abuja", "Port Harcourt", "Ibadan", "Kano"}},
  {"Egypt", "EG", "EGP", "S.A.E.", {"Cairo", "Alexandria", "Giza", "Port Said", "Mansoura"}},
  {"Kenya", "KE", "KES", "Ltd", {"Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret"}},
};
// clang-format on
static_assert(std::size(kCountries) == std::size(kRegions) * kCountriesPerRegion);

// ---- Product: Total Product > category > family > product ----------------

struct Family {
  const char* name;
  const char* models[5];  // product name = family name + " " + model
};
struct Category {
  const char* name;
  const char* sku_prefix;
  Family families[4];
};

// clang-format off
constexpr Category kCategories[] = {
  {"Laptops", "LT", {{"ProBook", {"13", "14", "15", "16", "14 Touch"}},
                     {"ZenLite", {"Air 13", "Air 15", "Pro 14", "Pro 16", "Flip 14"}},
                     {"Forge Gaming", {"15", "17", "15 RTX", "17 RTX", "18 Ultra"}},
                     {"Workhorse", {"W14", "W15", "W16", "W17 Mobile", "W16 Rugged"}}}},
  {"Desktops", "DT", {{"TowerPro", {"T300", "T500", "T700", "T900", "T500 Compact"}},
                      {"MiniCube", {"M1", "M2", "M2 Plus", "M3", "M3 Max"}},
                      {"StudioStation", {"S16", "S32", "S64", "S128", "S64 Silent"}},
                      {"Vista All-in-One", {"22", "24", "27", "27 Pro", "32 Pro"}}}},
  {"Displays", "DS", {{"ClearView", {"22", "24", "27", "27 QHD", "32 4K"}},
                      {"ColorPro", {"24 Studio", "27 Studio", "32 Studio", "27 HDR", "32 HDR"}},
                      {"Arena Curved", {"34", "38", "49", "34 OLED", "45 OLED"}},
                      {"Portable Panel", {"13", "15", "15 Touch", "16 OLED", "17"}}}},
  {"Networking", "NW", {{"AirLink Router", {"AX1800", "AX3000", "AX5400", "BE7200", "BE9300"}},
                        {"MeshNet", {"Duo", "Trio", "Pro Duo", "Pro Trio", "Outdoor"}},
                        {"SwitchCore", {"8-Port", "16-Port", "24-Port PoE", "48-Port PoE", "48-Port 10G"}},
                        {"SecureGate Firewall", {"100", "200", "400", "800", "1600"}}}},
  {"Storage", "ST", {{"VaultDrive SSD", {"500 GB", "1 TB", "2 TB", "4 TB", "8 TB"}},
                     {"PocketDrive", {"1 TB", "2 TB", "4 TB", "5 TB Rugged", "2 TB Shock"}},
                     {"HomeVault NAS", {"2-Bay", "4-Bay", "5-Bay", "6-Bay", "8-Bay"}},
                     {"ArrayMax SAN", {"A100", "A200", "A400", "A800", "A1600"}}}},
};
// clang-format on

// The alternate hierarchy: a second root whose leaves are shared with the main one.
struct ProductRef {
  int category, family, model;
};
struct AltGroup {
  const char* name;
  ProductRef products[3];
};
constexpr const char* kAltRoot = "Strategic Lines";
constexpr AltGroup kAltGroups[] = {
    {"AI PCs", {{0, 0, 1}, {0, 1, 2}, {1, 1, 4}}},
    {"Wi-Fi 7 Upgrade", {{3, 0, 3}, {3, 0, 4}, {3, 1, 3}}},
};

// ---- Account: the planbench P&L --------------------------------------------

enum AccountKind { kRevenue = 0, kCogs = 1, kOpex = 2 };
struct AccountSection {
  const char* name;
  const char* parent;
  const char* weight;
};
constexpr AccountSection kSections[] = {
    {"Revenue", "Gross Margin", "1"},
    {"COGS", "Gross Margin", "-1"},
    {"Operating Expenses", "Net Income", "-1"},
};
struct AccountGroup {
  AccountKind kind;
  const char* name;
  std::vector<const char*> leaves;
};
// Never given facts: ALLOCATE writes it (bench/WORKLOAD.md).
constexpr std::string_view kAllocationAccount = "Consulting Fees";
// Never given facts either: the leaf rule of kRules computes it.
constexpr std::string_view kCommissionAccount = "Sales Commissions";
// A root of its own, computed at every level by the consolidated rule.
constexpr std::string_view kMarginAccount = "Gross Margin %";

// rules/Finance.rules (docs/rules.md): planners see computed cells, read-only.
constexpr std::string_view kRules =
    "# Sales commissions: 3 % of product revenue, computed for every cell with product\n"
    "# revenue and then consolidated like data (a leaf rule).\n"
    "leaf [Account: Sales Commissions] = [Account: Product Revenue] * 0.03;\n"
    "\n"
    "# Gross margin as a percentage of revenue at every level, never summed.\n"
    "consolidated [Account: Gross Margin %]\n"
    "    = IF([Account: Revenue] <> 0, [Account: Gross Margin] / [Account: Revenue] * 100);\n";

// clang-format off
const std::vector<AccountGroup>& AccountGroups() {
  static const std::vector<AccountGroup> groups = {
    {kRevenue, "Product Revenue", {"Hardware Sales", "Software Licenses", "Subscriptions", "Accessories", "Spare Parts", "Discounts"}},
    {kRevenue, "Service Revenue", {"Consulting Revenue", "Support Contracts", "Training Revenue", "Installation"}},
    {kCogs, "Direct Costs", {"Materials", "Direct Labor", "Manufacturing Overhead", "Royalties", "Scrap"}},
    {kCogs, "Logistics", {"Freight In", "Freight Out", "Warehousing", "Customs Duties", "Packaging"}},
    {kOpex, "Personnel", {"Salaries", "Bonuses", "Payroll Taxes", "Benefits", "Pensions", "Recruiting", "Contractors", "Sales Commissions"}},
    {kOpex, "Facilities", {"Rent", "Utilities", "Maintenance", "Property Insurance", "Security", "Cleaning"}},
    {kOpex, "Marketing", {"Advertising", "Events", "Sponsorships", "Digital Marketing", "Market Research", "Public Relations"}},
    {kOpex, "IT", {"Software Subscriptions", "Hardware Depreciation", "Cloud Hosting", "Telecom", "IT Support"}},
    {kOpex, "Travel", {"Airfare", "Hotels", "Meals", "Ground Transport"}},
    {kOpex, "Professional Services", {"Legal Fees", "Audit Fees", "Consulting Fees", "Tax Advisory", "Bank Charges"}},
  };
  return groups;
}
// clang-format on

// ---- Model building --------------------------------------------------------

using Row = std::vector<std::string>;
struct DimTable {
  std::string name;
  std::string header;
  std::vector<Row> rows;  // unquoted fields, one row per parent link
};

// What the facts need, as ready CSV fields, in file order.
struct Plan {
  std::vector<std::string> months;
  std::vector<std::string> entities;
  std::vector<double> entity_sizes;  // revenue multiplier, mean about 1.2
  std::vector<std::string> products;
  std::vector<double> product_popularity_cumulative;  // ~ 1 / rank^0.75
  std::vector<std::string> accounts[3];               // by AccountKind
};

void AppendField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string Field(std::string_view s) {
  std::string out;
  AppendField(out, s);
  return out;
}

DimTable VersionDim() {
  return {"Version",
          "member,parent,weight",
          {{"Actual", "", ""}, {"Budget", "", ""}, {"Forecast", "", ""}}};
}

DimTable TimeDim(Plan& plan) {
  DimTable t{"Time", "member,parent,weight", {{"All Time", "", ""}}};
  char buf[16];
  for (int year : kYears) {
    std::string fy = "FY" + std::to_string(year);
    t.rows.push_back({fy, "All Time", "1"});
    for (int q = 1; q <= 4; ++q) {
      std::snprintf(buf, sizeof buf, "%d-Q%d", year, q);
      std::string quarter = buf;
      t.rows.push_back({quarter, fy, "1"});
      for (int m = 3 * q - 2; m <= 3 * q; ++m) {
        std::snprintf(buf, sizeof buf, "%d-%02d", year, m);
        t.rows.push_back({buf, quarter, "1"});
        plan.months.push_back(buf);
      }
    }
  }
  return t;
}

// "US-BOS" from "United States" / "Boston"; "US-BOS2" for the second round of cities.
std::string EntityAlias(const Country& country, const char* city, int round) {
  std::string alias = std::string(country.iso) + "-";
  for (const char* c = city; *c && alias.size() < 6; ++c) {
    if (std::isalpha(static_cast<unsigned char>(*c))) alias += static_cast<char>(std::toupper(*c));
  }
  if (round > 0) alias += std::to_string(round + 1);
  return alias;
}

void AddEntities(DimTable& t, const Country& country, int per_country, Rng& rng, Plan& plan) {
  for (int e = 0; e < per_country; ++e) {
    int round = e / kCitiesPerCountry;
    const char* city = country.cities[e % kCitiesPerCountry];
    std::string place = city + (round > 0 ? " " + std::to_string(round + 1) : "");
    std::string name = std::string(kBrands[e % std::size(kBrands)]) + " " + country.legal_form +
                       " (" + place + ")";
    double u1 = rng.Uniform(), u2 = rng.Uniform();  // sequenced: same order on every compiler
    double size = 0.3 + 2.7 * u1 * u2;
    auto headcount = static_cast<int64_t>(size * 45.0 * rng.Uniform(0.8, 1.2) + 5.5);
    std::string company_code = std::to_string(1001 + plan.entities.size());
    t.rows.push_back({name, country.name, "1", EntityAlias(country, city, round), company_code,
                      country.currency, std::to_string(headcount)});
    plan.entities.push_back(Field(name));
    plan.entity_sizes.push_back(size);
  }
}

DimTable EntityDim(int per_country, Rng& rng, Plan& plan) {
  DimTable t{"Entity", "member,parent,weight,alias,alias,attr:Currency,num:Headcount", {}};
  t.rows.push_back({"Total Company", "", "", "", "", "", ""});
  for (size_t r = 0; r < std::size(kRegions); ++r) {
    t.rows.push_back({kRegions[r], "Total Company", "1", "", "", "", ""});
    for (int c = 0; c < kCountriesPerRegion; ++c) {
      const Country& country = kCountries[r * kCountriesPerRegion + c];
      t.rows.push_back({country.name, kRegions[r], "1", country.iso, "", country.currency, ""});
      AddEntities(t, country, per_country, rng, plan);
    }
  }
  return t;
}

DimTable AccountDim(Plan& plan) {
  DimTable t{"Account", "member,parent,weight", {{"Net Income", "", ""}}};
  t.rows.push_back({"Gross Margin", "Net Income", "1"});
  for (int kind : {kRevenue, kCogs, kOpex}) {
    const AccountSection& section = kSections[kind];
    t.rows.push_back({section.name, section.parent, section.weight});
    for (const AccountGroup& group : AccountGroups()) {
      if (group.kind != kind) continue;
      t.rows.push_back({group.name, section.name, "1"});
      for (const char* leaf : group.leaves) {
        t.rows.push_back({leaf, group.name, "1"});
        if (leaf != kAllocationAccount && leaf != kCommissionAccount)
          plan.accounts[kind].push_back(Field(leaf));
      }
    }
  }
  t.rows.push_back({std::string(kMarginAccount), "", ""});
  return t;
}

std::string ProductName(const ProductRef& p) {
  const Family& family = kCategories[p.category].families[p.family];
  return std::string(family.name) + " " + family.models[p.model];
}

// Running sums of rank^-0.75 for ranks 1..n (sqrt is exact in IEEE; pow is not).
std::vector<double> CumulativePopularity(size_t n) {
  std::vector<double> cumulative;
  double total = 0;
  for (size_t r = 1; r <= n; ++r) {
    double rank = static_cast<double>(r);
    total += 1.0 / (std::sqrt(rank) * std::sqrt(std::sqrt(rank)));
    cumulative.push_back(total);
  }
  return cumulative;
}

DimTable ProductDim(Plan& plan) {
  DimTable t{"Product", "member,parent,weight,alias", {{"Total Product", "", "", ""}}};
  char sku[16];
  for (int c = 0; c < static_cast<int>(std::size(kCategories)); ++c) {
    t.rows.push_back({kCategories[c].name, "Total Product", "1", ""});
    for (int f = 0; f < 4; ++f) {
      const char* family = kCategories[c].families[f].name;
      t.rows.push_back({family, kCategories[c].name, "1", ""});
      for (int m = 0; m < 5; ++m) {
        std::string name = ProductName({c, f, m});
        std::snprintf(sku, sizeof sku, "%s-%d%02d", kCategories[c].sku_prefix, f + 1, m + 1);
        t.rows.push_back({name, family, "1", sku});
        plan.products.push_back(Field(name));
      }
    }
  }
  plan.product_popularity_cumulative = CumulativePopularity(plan.products.size());
  t.rows.push_back({"Unallocated", "Total Product", "1", ""});  // ALLOCATE's target, no facts
  t.rows.push_back({kAltRoot, "", "", ""});
  for (const AltGroup& group : kAltGroups) {
    t.rows.push_back({group.name, kAltRoot, "1", ""});
    for (const ProductRef& p : group.products) {
      t.rows.push_back({ProductName(p), group.name, "1", ""});  // shared: its second parent
    }
  }
  return t;
}

std::string RenderDim(const DimTable& t) {
  std::string out = t.header + "\n";
  for (const Row& row : t.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += ',';
      AppendField(out, row[i]);
    }
    out += '\n';
  }
  return out;
}

// ---- Output ----------------------------------------------------------------

Status IoError(const std::string& what, const std::string& path) {
  return Status::Io(what + " '" + path + "': " + std::strerror(errno));
}

class OutFile {
 public:
  explicit OutFile(std::string path) : path_(std::move(path)) {}
  OutFile(const OutFile&) = delete;
  OutFile& operator=(const OutFile&) = delete;
  ~OutFile() {
    if (file_ != nullptr) std::fclose(file_);
  }

  Status Open() {
    file_ = std::fopen(path_.c_str(), "wb");
    return file_ ? Status::Ok() : IoError("cannot create", path_);
  }
  // Writes and clears `buffer`.
  Status Write(std::string& buffer) {
    size_t size = buffer.size();
    size_t written = std::fwrite(buffer.data(), 1, size, file_);
    buffer.clear();
    return written == size ? Status::Ok() : IoError("cannot write", path_);
  }
  Status Close() {
    int rc = std::fclose(file_);
    file_ = nullptr;
    return rc == 0 ? Status::Ok() : IoError("cannot write", path_);
  }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

Status WriteWholeFile(const std::string& path, std::string text) {
  OutFile out(path);
  QA_RETURN_IF_ERROR(out.Open());
  QA_RETURN_IF_ERROR(out.Write(text));
  return out.Close();
}

// ---- Facts -----------------------------------------------------------------

// Monthly seasonality: weak January and July, strong year end.
constexpr double kSeason[12] = {0.9, 1.0, 1.05, 1.0, 1.0, 1.05, 0.9, 0.95, 1.05, 1.05, 1.15, 1.2};
constexpr double kKindScale[3] = {1.0, 0.45, 0.15};  // revenue, COGS, opex

void AppendValue(std::string& out, double value) {
  auto cents = std::max<int64_t>(1, static_cast<int64_t>(value * 100.0 + 0.5));
  char buf[32];
  char* end = std::to_chars(buf, buf + sizeof buf, cents / 100).ptr;
  int frac = static_cast<int>(cents % 100);
  *end++ = '.';
  *end++ = static_cast<char>('0' + frac / 10);
  *end++ = static_cast<char>('0' + frac % 10);
  *end++ = '\n';
  out.append(buf, end);
}

// 36 months of Actual and Budget for one (entity, account, product); `mid`
// is "entity,account,product,".
void AppendSeries(const Plan& plan, const std::string& mid, double base, Rng& rng,
                  std::string& out) {
  double growth = rng.Uniform(-0.05, 0.12);
  double budget_bias = rng.Uniform(0.97, 1.08);
  for (size_t i = 0; i < plan.months.size(); ++i) {
    double level = base * kSeason[i % 12] * (1.0 + growth * static_cast<double>(i) / 12.0);
    for (std::string_view version : {"Actual,", "Budget,"}) {
      out += version;
      out += plan.months[i];
      out += ',';
      out += mid;
      AppendValue(out, version[0] == 'A' ? level * rng.Uniform(0.85, 1.15) : level * budget_bias);
    }
  }
}

// kProductsPerEntity distinct product indexes, skewed to popular ones, sorted.
std::vector<int> PickProducts(const Plan& plan, Rng& rng) {
  const std::vector<double>& cum = plan.product_popularity_cumulative;
  std::vector<bool> chosen(cum.size());
  int count = 0;
  while (count < std::min<int>(kProductsPerEntity, cum.size())) {
    auto it = std::upper_bound(cum.begin(), cum.end(), rng.Uniform() * cum.back());
    size_t p = std::min<size_t>(it - cum.begin(), cum.size() - 1);
    if (chosen[p]) continue;
    chosen[p] = true;
    ++count;
  }
  std::vector<int> picked;
  for (size_t p = 0; p < chosen.size(); ++p) {
    if (chosen[p]) picked.push_back(static_cast<int>(p));
  }
  return picked;
}

// `n` distinct indexes below `size` (partial Fisher-Yates).
std::vector<int> Sample(int size, int n, Rng& rng) {
  std::vector<int> idx(size);
  for (int i = 0; i < size; ++i) idx[i] = i;
  for (int i = 0; i < n; ++i) std::swap(idx[i], idx[i + rng.Below(size - i)]);
  idx.resize(n);
  return idx;
}

// 5 to 9 accounts per (entity, product): 3/7 revenue, 2/7 COGS, the rest opex.
size_t AppendEntityFacts(const Plan& plan, size_t e, Rng& rng, std::string& out) {
  size_t atoms = 0;
  for (int p : PickProducts(plan, rng)) {
    int k = 5 + rng.Below(5);
    int n_rev = std::max(1, k * 3 / 7), n_cogs = std::max(1, k * 2 / 7);
    int counts[3] = {n_rev, n_cogs, k - n_rev - n_cogs};
    for (int kind : {kRevenue, kCogs, kOpex}) {
      const std::vector<std::string>& accounts = plan.accounts[kind];
      for (int a : Sample(static_cast<int>(accounts.size()), counts[kind], rng)) {
        double u = rng.Uniform();
        double base = plan.entity_sizes[e] * kKindScale[kind] * (5000.0 + 95000.0 * u * u);
        std::string mid = plan.entities[e] + "," + accounts[a] + "," + plan.products[p] + ",";
        AppendSeries(plan, mid, base, rng, out);
        atoms += 2 * plan.months.size();
      }
    }
  }
  return atoms;
}

Result<size_t> WriteFacts(const std::string& path, const Plan& plan, Rng& rng) {
  OutFile file(path);
  QA_RETURN_IF_ERROR(file.Open());
  std::string out = "Version,Time,Entity,Account,Product,Value\n";
  out.reserve(std::min(kFactsBufferBytesMax + (size_t{1} << 20), plan.entities.size() * 400'000));
  size_t atoms = 0;
  for (size_t e = 0; e < plan.entities.size(); ++e) {
    atoms += AppendEntityFacts(plan, e, rng, out);
    if (out.size() >= kFactsBufferBytesMax) QA_RETURN_IF_ERROR(file.Write(out));
  }
  QA_RETURN_IF_ERROR(file.Write(out));
  QA_RETURN_IF_ERROR(file.Close());
  return atoms;
}

Status MakeDirectory(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::Io("cannot create directory '" + path.string() + "': " + ec.message());
  return Status::Ok();
}

}  // namespace

Result<DemoReport> WriteDemoModel(const std::string& dir, const DemoOptions& options) {
  if (options.entities_per_country < 1 || options.entities_per_country > kEntitiesPerCountryMax) {
    return Status::Limit("entities_per_country must be 1.." +
                         std::to_string(kEntitiesPerCountryMax) + ", got " +
                         std::to_string(options.entities_per_country));
  }
  const std::filesystem::path root(dir);
  QA_RETURN_IF_ERROR(MakeDirectory(root / "dims"));
  QA_RETURN_IF_ERROR(MakeDirectory(root / "cubes"));
  QA_RETURN_IF_ERROR(MakeDirectory(root / "rules"));
  QA_RETURN_IF_ERROR(
      WriteWholeFile((root / "rules" / "Finance.rules").string(), std::string(kRules)));
  Rng rng(options.seed);
  Plan plan;
  const DimTable dims[] = {VersionDim(), TimeDim(plan),
                           EntityDim(options.entities_per_country, rng, plan), AccountDim(plan),
                           ProductDim(plan)};
  for (const DimTable& dim : dims) {
    std::string path = (root / "dims" / (dim.name + ".csv")).string();
    QA_RETURN_IF_ERROR(WriteWholeFile(path, RenderDim(dim)));
  }
  QA_ASSIGN_OR_RETURN(size_t atoms,
                      WriteFacts((root / "cubes" / "Finance.csv").string(), plan, rng));
  return DemoReport{atoms};
}

}  // namespace quantatom
