#pragma once

#include "http/Router.h"

namespace standby {

// Serves the browser UI compiled into the program's resources (:/web), so it works offline and
// needs no files beside the binary.
class WebUiController
{
public:
    void registerRoutes(Router &router);

private:
    static HttpResponse serveFile(const QString &resourcePath);
};

} // namespace standby
