#pragma once
// Rent statements as documents: JSON (for systems), CSV (for spreadsheets) and PDF (for the
// tenant and the court bundle — the Pre-Action Protocol asks for statements a tenant can
// understand). The PDF is written by our own small writer: text only, A4, standard Helvetica.

#include <string>

#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger::app {

std::string StatementJson(const Statement& statement);
// RFC 4180: a header, then date,description,debit,credit,balance; amounts in pounds ("110.50").
std::string StatementCsv(const Statement& statement);
// A valid PDF 1.4 document, paginated, with opening and closing balances.
std::string StatementPdf(const Statement& statement, const std::string& landlord_name);

}  // namespace rentstream::ledger::app
