// Starts GraphiQL in #graphiql against the endpoint named by its data-endpoint attribute.
// Loaded as a file after React, ReactDOM and GraphiQL, so the page needs no inline script.
(function () {
  'use strict';
  var container = document.getElementById('graphiql');
  var endpoint = new URL(container.dataset.endpoint || '/graphql', window.location.origin);
  ReactDOM.createRoot(container).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: endpoint.toString() }),
      defaultEditorToolsVisibility: true,
    }),
  );
})();
